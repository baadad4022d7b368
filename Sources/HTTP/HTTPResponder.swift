/// Answers one request: `respond` once, or `startStream` once. May be used
/// later than the handler's return, on the loop thread; answers on one
/// connection still go out in request order. Once the connection is gone,
/// answering does nothing.
public final class HTTPResponder {
    private weak var connection: HTTPServerConnection?
    private let slot: ResponseSlot
    /// True once `respond` or `startStream` was called; further answers are ignored.
    public private(set) var hasResponded = false

    init(connection: HTTPServerConnection, slot: ResponseSlot) {
        self.connection = connection
        self.slot = slot
    }

    /// True if the connection closed, so an answer would go nowhere.
    public var isConnectionClosed: Bool { connection?.isClosed ?? true }

    /// Sends `response` (adding `Content-Length`, and `Connection: close` when
    /// this is the connection's last answer). HEAD requests get the head only.
    public func respond(_ response: HTTPResponse) {
        guard !hasResponded else { return }
        hasResponded = true
        guard let connection, !connection.isClosed else { return }
        connection.server.loop.preconditionOnLoopThread()
        slot.state = .ready(HTTPWire.response(response, toHEAD: slot.isHEAD, closing: slot.closing,
                                              keepAliveHeader: slot.confirmsKeepAlive))
        connection.flush()
    }

    /// Starts a streamed answer: the head goes out with `Transfer-Encoding:
    /// chunked` (to HTTP/1.0 clients: unframed, ending with the connection), and
    /// each `write` sends a chunk. No idle timeout applies while it is open.
    /// If the connection is already gone, or the request was already answered,
    /// the stream starts closed (`isClosed`) and writes go nowhere.
    public func startStream(status: Int, headers: HTTPHeaders = HTTPHeaders()) -> HTTPStream {
        let answeredBefore = hasResponded
        hasResponded = true
        let chunked = slot.version != .http1_0
        let closing = slot.closing || !chunked
        let head = HTTPWire.responseHead(HTTPResponse(status: status, headers: headers),
                                         framing: chunked ? .chunked : .untilClose,
                                         closing: closing, keepAliveHeader: slot.confirmsKeepAlive && !closing)
        let stream = HTTPStream(connection: connection, head: head, chunked: chunked, isHEAD: slot.isHEAD)
        guard !answeredBefore, let connection, !connection.isClosed else {
            stream.connectionDied()
            return stream
        }
        connection.server.loop.preconditionOnLoopThread()
        slot.state = .streaming(stream)
        connection.flush()
        return stream
    }
}

/// A response body sent piece by piece, for Server-Sent Events and other
/// long-lived answers. Watch `bufferedBytes` to drop or coalesce for slow
/// readers: past the server's `maxWriteBuffer` the peer is disconnected.
public final class HTTPStream {
    private weak var connection: HTTPServerConnection?
    private let chunked: Bool
    private let isHEAD: Bool
    /// Bytes held until earlier answers on the connection are out.
    private var pending: [UInt8]
    private(set) var isActive = false
    private(set) var isFinished = false
    /// True after `finish()` or once the connection died; writes are then ignored.
    public private(set) var isClosed = false
    /// Called once, on the loop, if the connection dies before `finish()`
    /// (peer disconnected, slow reader dropped, server closed).
    public var onClose: (() -> Void)?

    init(connection: HTTPServerConnection?, head: [UInt8], chunked: Bool, isHEAD: Bool) {
        self.connection = connection
        self.chunked = chunked
        self.isHEAD = isHEAD
        pending = head
    }

    /// An HTTP/1.0 stream ends by closing the connection.
    var closesConnection: Bool { !chunked }

    /// Bytes written but not yet taken by the kernel (or still waiting their turn).
    public var bufferedBytes: Int { pending.count + (isActive ? connection?.writeBacklog ?? 0 : 0) }

    /// Sends `bytes` as one chunk. Empty writes are skipped (an empty chunk ends the body).
    public func write(_ bytes: [UInt8]) {
        guard !isClosed, !bytes.isEmpty, !isHEAD else { return }
        send(chunked ? HTTPWire.chunk(bytes) : bytes)
    }

    /// Ends the body; the connection then serves the next request (or closes).
    public func finish() {
        guard !isClosed else { return }
        if chunked && !isHEAD { send(HTTPWire.lastChunk) }
        isClosed = true
        isFinished = true
        onClose = nil
        connection?.flush()
    }

    private func send(_ bytes: [UInt8]) {
        if isActive {
            connection?.write(bytes)
        } else {
            pending += bytes
        }
    }

    /// Called by the connection when this stream reaches the front of the
    /// queue: everything held so far goes out.
    func activate() -> [UInt8] {
        isActive = true
        defer { pending = [] }
        return pending
    }

    func connectionDied() {
        guard !isClosed else { return }
        isClosed = true
        pending = []
        let onClose = self.onClose
        self.onClose = nil
        onClose?()
    }
}
