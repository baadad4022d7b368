internal import CUV

/// A mutex (`uv_mutex_t`) that guards a value: for the places threads meet (the
/// queue behind an `AsyncWakeup`, a loop thread handing values to its starter).
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<uv_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        let status = uv_mutex_init(mutex)
        precondition(status == 0, "uv_mutex_init failed: \(status)")
        self.value = value
    }

    deinit {
        uv_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        uv_mutex_lock(mutex)
        defer { uv_mutex_unlock(mutex) }
        return try body(&value)
    }
}
