internal import CUV

/// A libuv idle handle (`uv_idle_t`): while started, its callback runs once per
/// loop iteration and the loop polls for I/O without blocking. A loop uses one to
/// busy-poll for a short while after work, so a message from another thread is
/// seen at once instead of after a sleep and a wake-up.
/// See https://docs.libuv.org/en/v1.x/idle.html
public final class Idle: LoopHandle {
    public let loop: Loop
    private let handle: UnsafeMutablePointer<uv_idle_t>
    var lifecycle = HandleLifecycle()
    private var callback: ((Idle) -> Void)?

    /// Creates a stopped idle handle on `loop`. It lives until `close()` completes.
    public init(loop: Loop) {
        loop.preconditionOnLoopThread()
        self.loop = loop
        handle = .allocate(capacity: 1)
        let status = uv_idle_init(loop.raw, handle)
        precondition(status == 0, "uv_idle_init cannot fail, returned \(status)")
        register()
    }

    deinit { handle.deallocate() }

    var uvHandle: UnsafeMutablePointer<uv_handle_t> { cuv_handle(handle) }

    /// Starts calling `callback` every iteration (replacing an earlier callback).
    public func start(_ callback: @escaping (Idle) -> Void) {
        loop.preconditionOnLoopThread()
        precondition(!lifecycle.isClosing, "Idle started after close")
        self.callback = callback
        let status = uv_idle_start(handle) { handle in
            let idle = Idle.owner(of: handle)
            let callback = idle.callback  // held: the callback may replace itself
            callback?(idle)
        }
        precondition(status == 0, "uv_idle_start failed: \(status)")
    }

    public func stop() {
        loop.preconditionOnLoopThread()
        uv_idle_stop(handle)
    }

    public var isActive: Bool {
        loop.preconditionOnLoopThread()
        return uv_is_active(uvHandle) != 0
    }

    public var isClosing: Bool { lifecycle.isClosing }

    /// Stops the handle for good; `onClose` runs on the loop once libuv released it.
    public func close(_ onClose: (() -> Void)? = nil) {
        closeHandle(onClose)
    }

    func didClose() { callback = nil }
}

@available(*, unavailable)
extension Idle: Sendable {}
