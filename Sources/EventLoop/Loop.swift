internal import CUV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libuv event loop: the thread that runs it owns everything attached to it.
///
/// The loop owns its `uv_loop_t`, initialised in `init` and closed in `close()` or
/// `deinit`. Handles keep their loop alive (each handle holds a strong reference
/// until its close callback), so a loop is never freed under a live handle.
///
/// Confinement: the first `run`, `runOnce` or `runNoWait` binds the loop to the
/// calling thread; from then on every entry point of the loop and of its handles
/// is a precondition failure on any other thread. Before that, the loop may be set
/// up from any one thread at a time. Other threads reach a loop only through an
/// `AsyncWakeup`'s `Sender`.
///
/// See https://docs.libuv.org/en/v1.x/loop.html
public final class Loop {
    let raw: UnsafeMutablePointer<uv_loop_t>
    /// Reads land here, one at a time (libuv calls `alloc_cb` right before the
    /// `read_cb` of the same read), and are copied out before the next read.
    let readBuffer: UnsafeMutableRawBufferPointer
    private var thread: uv_thread_t?
    private var isRunning = false
    /// Set once `uv_loop_close` succeeded; the loop is unusable afterwards.
    public private(set) var isClosed = false

    /// libuv writes to sockets with write(2): a write to a peer that has gone raises
    /// SIGPIPE, whose default action ends the whole process (a server killed by one
    /// client hanging up). libuv leaves it to the program to ignore it, as every server
    /// does; the write then fails with EPIPE and the connection closes. Done once, for
    /// the process, before the first loop runs.
    public static let brokenPipesIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// The size of the shared read buffer: the most one read callback delivers.
    public static let readBufferSize = 64 * 1024

    /// Creates a loop (`uv_loop_init`).
    public init() throws(UVError) {
        _ = Self.brokenPipesIgnored
        let raw = UnsafeMutablePointer<uv_loop_t>.allocate(capacity: 1)
        let status = uv_loop_init(raw)
        guard status == 0 else {
            raw.deallocate()
            throw UVError(status: status, operation: "uv_loop_init")
        }
        self.raw = raw
        self.readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        raw.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        if !isClosed {
            // Every handle holds its loop, so none can be left; a failure here is
            // a handle made outside this module. Leaking beats freeing memory that
            // libuv still links to.
            guard uv_loop_close(raw) == 0 else {
                assertionFailure("Loop freed with handles still open")
                return
            }
        }
        raw.deallocate()
        readBuffer.deallocate()
    }

    /// The `Loop` that owns a `uv_loop_t`, for C callbacks.
    static func owner(of raw: UnsafeMutablePointer<uv_loop_t>) -> Loop {
        Unmanaged<Loop>.fromOpaque(raw.pointee.data!).takeUnretainedValue()
    }

    // MARK: Running

    /// Runs until there are no active handles or requests left, or `stop()` was
    /// called (`UV_RUN_DEFAULT`). Returns true if active handles or requests remain.
    @discardableResult
    public func run() -> Bool { run(UV_RUN_DEFAULT) }

    /// Polls for I/O once, blocking if there is nothing pending (`UV_RUN_ONCE`).
    /// Returns true if more callbacks are expected.
    @discardableResult
    public func runOnce() -> Bool { run(UV_RUN_ONCE) }

    /// Polls for I/O once without blocking (`UV_RUN_NOWAIT`).
    /// Returns true if more callbacks are expected.
    @discardableResult
    public func runNoWait() -> Bool { run(UV_RUN_NOWAIT) }

    private func run(_ mode: uv_run_mode) -> Bool {
        bindToCurrentThread()
        precondition(!isRunning, "Loop.run called from inside a loop callback")
        isRunning = true
        defer { isRunning = false }
        return uv_run(raw, mode) != 0
    }

    /// Makes the running `run()` return after the current iteration (`uv_stop`).
    public func stop() {
        preconditionOnLoopThread()
        uv_stop(raw)
    }

    /// The loop's cached time in milliseconds, taken at the start of the current
    /// iteration (`uv_now`). Only differences are meaningful.
    public var now: UInt64 {
        preconditionOnLoopThread()
        return uv_now(raw)
    }

    /// Refreshes `now` from the clock (`uv_update_time`), for long callbacks.
    public func updateTime() {
        preconditionOnLoopThread()
        uv_update_time(raw)
    }

    /// True while handles or requests are active (`uv_loop_alive`).
    public var isAlive: Bool {
        preconditionOnLoopThread()
        return uv_loop_alive(raw) != 0
    }

    // MARK: Closing

    /// Closes the loop (`uv_loop_close`). Throws `.busy` while handles remain:
    /// close them, run the loop until their close callbacks ran, then close.
    /// `deinit` closes a loop that was not closed explicitly.
    public func close() throws(UVError) {
        preconditionOnLoopThread()
        try UVError.check(uv_loop_close(raw), "uv_loop_close")
        isClosed = true
    }

    /// Starts closing every handle that is not closing yet, as if `close()` had
    /// been called on each: a shutdown in one call. The close callbacks run on the
    /// next iterations; `run()` then returns once they have.
    public func closeAll() {
        preconditionOnLoopThread()
        var handles: [any LoopHandle] = []
        withUnsafeMutablePointer(to: &handles) { list in
            uv_walk(raw, { handle, list in
                guard let handle, uv_is_closing(handle) == 0, let data = uv_handle_get_data(handle)
                else { return }
                let owner = Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue()
                guard let owner = owner as? any LoopHandle else { return }
                list!.assumingMemoryBound(to: [any LoopHandle].self).pointee.append(owner)
            }, list)
        }
        for handle in handles where !handle.lifecycle.isClosing {
            handle.closeHandle(nil)
        }
    }

    // MARK: Confinement

    /// True on the thread the loop runs on, or anywhere before it first ran.
    public var isOnLoopThread: Bool {
        guard var owner = thread else { return true }
        var current = uv_thread_self()
        return uv_thread_equal(&owner, &current) != 0
    }

    /// The check every entry point of the loop and its handles begins with.
    public func preconditionOnLoopThread(file: StaticString = #fileID, line: UInt = #line) {
        precondition(!isClosed, "use of a closed Loop", file: file, line: line)
        precondition(isOnLoopThread, "Loop used off its thread", file: file, line: line)
    }

    private func bindToCurrentThread() {
        preconditionOnLoopThread()
        if thread == nil { thread = uv_thread_self() }
    }
}

@available(*, unavailable)
extension Loop: Sendable {}
