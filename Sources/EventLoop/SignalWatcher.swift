internal import CUV

/// Watches a Unix signal (`uv_signal_t`): the callback runs on the loop, not in
/// the signal handler, so it may do anything.
///
/// libuv installs its handler while at least one watcher of a signal is active,
/// and restores the default disposition when the last one stops.
/// See https://docs.libuv.org/en/v1.x/signal.html
public final class SignalWatcher: LoopHandle {
    /// A signal number.
    public struct Signal: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// Ctrl-C.
        public static let interrupt = Signal(rawValue: SIGINT)
        /// A polite request to stop (`kill`, systemd, Docker).
        public static let terminate = Signal(rawValue: SIGTERM)
        /// The terminal went away; daemons use it to reload.
        public static let hangup = Signal(rawValue: SIGHUP)
        public static let user1 = Signal(rawValue: SIGUSR1)
        public static let user2 = Signal(rawValue: SIGUSR2)

        public var description: String {
            switch self {
            case .interrupt: "SIGINT"
            case .terminate: "SIGTERM"
            case .hangup: "SIGHUP"
            case .user1: "SIGUSR1"
            case .user2: "SIGUSR2"
            default: "signal \(rawValue)"
            }
        }
    }

    public let loop: Loop
    private let handle: UnsafeMutablePointer<uv_signal_t>
    var lifecycle = HandleLifecycle()
    private var callback: ((Signal) -> Void)?

    /// Creates a watcher on `loop` that watches nothing yet.
    public init(loop: Loop) throws(UVError) {
        loop.preconditionOnLoopThread()
        let handle = UnsafeMutablePointer<uv_signal_t>.allocate(capacity: 1)
        let status = uv_signal_init(loop.raw, handle)
        guard status == 0 else {
            handle.deallocate()
            throw UVError(status: status, operation: "uv_signal_init")
        }
        self.loop = loop
        self.handle = handle
        register()
    }

    deinit { handle.deallocate() }

    var uvHandle: UnsafeMutablePointer<uv_handle_t> { cuv_handle(handle) }

    /// Calls `callback` each time `signal` arrives, until stopped. Starting again
    /// replaces the signal and the callback.
    public func start(_ signal: Signal, _ callback: @escaping (Signal) -> Void) throws(UVError) {
        loop.preconditionOnLoopThread()
        precondition(!lifecycle.isClosing, "SignalWatcher started after close")
        try UVError.check(uv_signal_start(handle, { handle, number in
            let callback = SignalWatcher.owner(of: handle).callback   // held: it may be replaced while it runs
            callback?(Signal(rawValue: number))
        }, signal.rawValue), "watch \(signal)")
        self.callback = callback
    }

    /// Stops watching.
    public func stop() {
        loop.preconditionOnLoopThread()
        uv_signal_stop(handle)
    }

    /// True once `close()` was called.
    public var isClosing: Bool { lifecycle.isClosing }

    /// Stops watching for good; `onClose` runs on the loop when libuv released
    /// the handle. Closing twice is a bug.
    public func close(_ onClose: (() -> Void)? = nil) {
        closeHandle(onClose)
    }

    func didClose() { callback = nil }
}

@available(*, unavailable)
extension SignalWatcher: Sendable {}
