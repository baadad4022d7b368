internal import CUV

/// Runs closures on libuv's thread pool (`uv_queue_work`) and completes them on
/// the loop: for CPU-bound work (hashing, signature checks) that must not stall
/// the loop.
///
/// The pool is process-wide and small (`UV_THREADPOOL_SIZE`, default 4) and also
/// serves name lookups; do not block it on I/O.
/// See https://docs.libuv.org/en/v1.x/threadpool.html
public struct WorkQueue {
    public let loop: Loop

    public init(loop: Loop) {
        self.loop = loop
    }

    /// Runs `work` on a pool thread, then `completion` on the loop with its
    /// result. Throws, never calling `completion`, if the work cannot be queued.
    public func submit<Output: Sendable>(
        _ work: @escaping @Sendable () -> Output,
        completion: @escaping (Result<Output, UVError>) -> Void
    ) throws(UVError) {
        loop.preconditionOnLoopThread()
        let item = WorkItem(loop: loop, work: work, completion: completion)
        let unmanaged = Unmanaged.passRetained(item)
        item.request.pointee.data = unmanaged.toOpaque()
        let status = uv_queue_work(loop.raw, item.request, workCallback, afterWorkCallback)
        if status < 0 {
            unmanaged.release()
            throw UVError(status: status, operation: "uv_queue_work")
        }
    }
}

@available(*, unavailable)
extension WorkQueue: Sendable {}

/// The two halves of a work item, without its type: the C callbacks cannot be
/// generic.
private protocol QueuedWork: AnyObject {
    /// On a pool thread.
    func run()
    /// On the loop thread, after `run` (libuv orders the two).
    func complete(_ status: Int32)
}

/// One `uv_work_t`, retained by libuv from `uv_queue_work` until the after-work
/// callback. `run` writes `output` on a pool thread and `complete` reads it on the
/// loop; libuv's queue hand-off orders the two, hence `@unchecked Sendable`.
private final class WorkItem<Output: Sendable>: QueuedWork, @unchecked Sendable {
    let request = UnsafeMutablePointer<uv_work_t>.allocate(capacity: 1)
    let loop: Loop
    let work: @Sendable () -> Output
    let completion: (Result<Output, UVError>) -> Void
    var output: Output?

    init(loop: Loop, work: @escaping @Sendable () -> Output,
         completion: @escaping (Result<Output, UVError>) -> Void) {
        self.loop = loop
        self.work = work
        self.completion = completion
    }

    deinit { request.deallocate() }

    func run() { output = work() }

    func complete(_ status: Int32) {
        if status < 0 {
            completion(.failure(UVError(status: status, operation: "queued work")))
        } else {
            completion(.success(output!))
        }
    }
}

private func workCallback(_ request: UnsafeMutablePointer<uv_work_t>?) {
    let item = Unmanaged<AnyObject>.fromOpaque(request!.pointee.data).takeUnretainedValue()
    (item as! any QueuedWork).run()
}

private func afterWorkCallback(_ request: UnsafeMutablePointer<uv_work_t>?, _ status: Int32) {
    let item = Unmanaged<AnyObject>.fromOpaque(request!.pointee.data).takeRetainedValue()
    (item as! any QueuedWork).complete(status)
}
