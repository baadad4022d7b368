internal import CUV

/// A libuv timer (`uv_timer_t`): calls back once after a delay, then optionally
/// at a fixed interval, until stopped or closed.
///
/// Timers due in the same iteration fire in order of their due time, and timers
/// with the same due time in the order they were started. In libuv 1.44 a timer
/// restarted with no delay from its own callback fires again before the loop polls:
/// to reschedule work "as soon as possible" and still poll, use an `Idle` handle.
/// See https://docs.libuv.org/en/v1.x/timer.html
public final class Timer: LoopHandle {
    public let loop: Loop
    private let handle: UnsafeMutablePointer<uv_timer_t>
    var lifecycle = HandleLifecycle()
    private var callback: ((Timer) -> Void)?

    /// Creates a stopped timer on `loop`. It lives until `close()` completes.
    public init(loop: Loop) {
        loop.preconditionOnLoopThread()
        self.loop = loop
        handle = .allocate(capacity: 1)
        let status = uv_timer_init(loop.raw, handle)
        precondition(status == 0, "uv_timer_init cannot fail, returned \(status)")
        register()
    }

    deinit { handle.deallocate() }

    var uvHandle: UnsafeMutablePointer<uv_handle_t> { cuv_handle(handle) }

    /// (Re)starts the timer: `callback` runs `delay` from now (rounded up to whole
    /// milliseconds), then every `interval` if one is given. Starting a started
    /// timer replaces its schedule and callback. The callback receives the timer,
    /// so it can stop or close it without capturing it; a callback that does
    /// capture its timer makes a cycle that closing breaks (closing drops the
    /// callback).
    public func start(after delay: Duration, repeating interval: Duration? = nil,
                      _ callback: @escaping (Timer) -> Void) {
        loop.preconditionOnLoopThread()
        precondition(!lifecycle.isClosing, "Timer started after close")
        self.callback = callback
        let status = uv_timer_start(handle, { handle in
            let timer = Timer.owner(of: handle)
            // Hold the callback for the call: it may restart the timer with a new
            // callback, which would otherwise free the running closure's context.
            let callback = timer.callback
            callback?(timer)
        }, delay.roundedUpMilliseconds, interval?.roundedUpMilliseconds ?? 0)
        precondition(status == 0, "uv_timer_start failed: \(status)")
    }

    /// Stops the timer; its callback will not run until it is started again.
    public func stop() {
        loop.preconditionOnLoopThread()
        uv_timer_stop(handle)
    }

    /// True while the timer is scheduled.
    public var isActive: Bool {
        loop.preconditionOnLoopThread()
        return uv_is_active(uvHandle) != 0
    }

    /// True once `close()` was called.
    public var isClosing: Bool { lifecycle.isClosing }

    /// Stops the timer for good; `onClose` runs on the loop when libuv released
    /// it. Closing twice is a bug.
    public func close(_ onClose: (() -> Void)? = nil) {
        closeHandle(onClose)
    }

    func didClose() { callback = nil }
}

@available(*, unavailable)
extension Timer: Sendable {}
