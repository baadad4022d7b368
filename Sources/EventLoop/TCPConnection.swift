internal import CUV

/// One TCP connection (`uv_tcp_t`): accepted by a `TCPServer` or opened with
/// `TCPConnection.connect`.
///
/// Whoever receives a connection owns it and must `close()` it; an open
/// connection keeps itself (and its loop) alive even when no one references it.
/// Reads, writes and shutdowns are ordered as libuv orders them: writes complete
/// in the order they were queued, and pending ones complete with `.canceled`
/// before the close callback.
/// See https://docs.libuv.org/en/v1.x/stream.html and .../tcp.html
public final class TCPConnection: LoopHandle {
    /// What one read callback delivers.
    public enum ReadEvent: Equatable, Sendable {
        /// Bytes from the peer, at most `Loop.readBufferSize` at a time.
        case data([UInt8])
        /// The peer shut down its side; reading has stopped. Writing may go on.
        case endOfStream
        /// Reading failed (reset, timeout); reading has stopped. Close the connection.
        case failure(UVError)
    }

    public let loop: Loop
    let handle: UnsafeMutablePointer<uv_tcp_t>
    var lifecycle = HandleLifecycle()
    private var onRead: ((ReadEvent) -> Void)?
    /// The peer, known once connected (or accepted); nil before, or if the
    /// system could not say.
    public internal(set) var remoteAddress: SocketAddress?

    /// A fresh TCP handle, not yet connected. Internal: connections come
    /// from `connect` or from a server.
    init(loop: Loop) {
        loop.preconditionOnLoopThread()
        self.loop = loop
        handle = .allocate(capacity: 1)
        let status = uv_tcp_init(loop.raw, handle)
        precondition(status == 0, "uv_tcp_init cannot fail without a socket, returned \(status)")
        register()
    }

    deinit { handle.deallocate() }

    var uvHandle: UnsafeMutablePointer<uv_handle_t> { cuv_handle(handle) }
    var stream: UnsafeMutablePointer<uv_stream_t> { cuv_tcp_stream(handle) }

    /// The peer as errors name it.
    var peerName: String { remoteAddress?.description ?? "unconnected socket" }

    /// Records the peer of a freshly connected or accepted socket.
    func didConnect() {
        var storage = sockaddr_storage()
        guard cuv_tcp_getpeername(handle, &storage) == 0 else { return }
        remoteAddress = try? SocketAddress(storage, operation: "getpeername")
    }

    // MARK: Reading

    /// Delivers what the peer sends to `onRead` until `stopReading()`, the end of
    /// the stream, an error or `close()`. Throws (and never calls back) if reading
    /// cannot start, for instance `.alreadyInProgress`.
    public func startReading(_ onRead: @escaping (ReadEvent) -> Void) throws(UVError) {
        loop.preconditionOnLoopThread()
        precondition(!lifecycle.isClosing, "TCPConnection read after close")
        try UVError.check(uv_read_start(stream, { handle, _, buffer in
            // One loop-wide buffer serves every read: libuv calls read_cb right
            // after this, and the bytes are copied out before the next read.
            let loop = Loop.owner(of: handle!.pointee.loop)
            buffer!.pointee = uv_buf_init(
                loop.readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self),
                UInt32(loop.readBuffer.count))
        }, { stream, count, buffer in
            TCPConnection.owner(of: stream).didRead(count, buffer!.pointee)
        }), "read from \(peerName)")
        self.onRead = onRead
    }

    private func didRead(_ count: Int, _ buffer: uv_buf_t) {
        // Held for the call: the callback may close the connection or start
        // reading with a new callback, which would free the running closure.
        let onRead = self.onRead
        if count > 0 {
            let bytes = UnsafeRawBufferPointer(start: buffer.base, count: count)
            onRead?(.data(Array(bytes)))
        } else if count == Int(UV_EOF.rawValue) {
            onRead?(.endOfStream)
        } else if count < 0 {
            onRead?(.failure(UVError(status: Int32(count), operation: "read from \(peerName)")))
        }
        // count == 0 is EAGAIN: nothing was read, and nothing is reported.
    }

    /// Stops delivering reads; the peer's bytes wait in the kernel.
    public func stopReading() {
        loop.preconditionOnLoopThread()
        uv_read_stop(stream)
    }

    // MARK: Options and state

    /// Sends small writes at once instead of coalescing them (`TCP_NODELAY`).
    public func setNoDelay(_ enabled: Bool) throws(UVError) {
        loop.preconditionOnLoopThread()
        try UVError.check(uv_tcp_nodelay(handle, enabled ? 1 : 0), "set TCP_NODELAY on \(peerName)")
    }

    /// Enables TCP keep-alive probes after `delay` of silence, or disables them.
    public func setKeepAlive(_ enabled: Bool, delay: Duration = .seconds(60)) throws(UVError) {
        loop.preconditionOnLoopThread()
        let seconds = UInt32(clamping: (delay.roundedUpMilliseconds + 999) / 1000)
        try UVError.check(uv_tcp_keepalive(handle, enabled ? 1 : 0, max(seconds, 1)),
                          "set keep-alive on \(peerName)")
    }

    /// Bytes queued for writing and not yet handed to the kernel: the measure for
    /// backpressure.
    public var writeQueueSize: Int {
        loop.preconditionOnLoopThread()
        return uv_stream_get_write_queue_size(stream)
    }

    /// This side's address.
    public func localAddress() throws(UVError) -> SocketAddress {
        loop.preconditionOnLoopThread()
        var storage = sockaddr_storage()
        try UVError.check(cuv_tcp_getsockname(handle, &storage), "getsockname")
        return try SocketAddress(storage, operation: "getsockname")
    }

    /// True once `close()` was called (by the owner, or by `connect` on failure).
    public var isClosing: Bool { lifecycle.isClosing }

    /// Closes the socket; pending writes complete with `.canceled` and then
    /// `onClose` runs, on the loop. Closing twice is a bug.
    public func close(_ onClose: (() -> Void)? = nil) {
        closeHandle(onClose)
    }

    func didClose() { onRead = nil }
}

@available(*, unavailable)
extension TCPConnection: Sendable {}
