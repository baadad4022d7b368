public import EventLoop

/// A keep-alive HTTP/1.1 client connection on a `Loop`. Requests are written
/// at once, in order (pipelining), and responses matched to them in order. A
/// response without keep-alive, a malformed response or the peer leaving
/// closes the connection and fails whatever is still waiting. Every callback
/// runs exactly once (`onBody` excepted), on the loop.
public final class HTTPClientConnection {
    public let loop: Loop
    private let tcp: TCPConnection
    private let hostHeader: String
    private let parser: HTTPParser
    private var pending: [Pending] = []
    /// True once closed, by either side; `send` then fails with `.closed`.
    public private(set) var isClosed = false

    private enum Pending {
        case buffered((Result<HTTPResponse, HTTPClientError>) -> Void)
        case streaming(onHead: (Int, HTTPHeaders) -> Void, onBody: ([UInt8]) -> Void,
                       onEnd: (HTTPClientError?) -> Void)
    }

    private init(tcp: TCPConnection, hostHeader: String, maxResponseBytes: Int) {
        loop = tcp.loop
        self.tcp = tcp
        self.hostHeader = hostHeader
        parser = HTTPParser(mode: .response, maxHeaderBytes: 64 * 1024, maxBodyBytes: maxResponseBytes)
    }

    /// Connects to `host:port` (an IP literal or a name); `completion` runs once,
    /// on the loop, never before this returns. `maxResponseBytes` bounds
    /// buffered (not streamed) response bodies.
    public static func connect(loop: Loop, host: String, port: UInt16, maxResponseBytes: Int = 64 * 1024 * 1024,
                               completion: @escaping (Result<HTTPClientConnection, HTTPClientError>) -> Void) {
        let address = SocketAddress(host: host, port: port).description
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        do {
            try TCPConnection.connect(loop: loop, host: host, port: port) { result in
                switch result {
                case .success(let tcp):
                    let connection = HTTPClientConnection(tcp: tcp, hostHeader: hostHeader,
                                                          maxResponseBytes: maxResponseBytes)
                    connection.start()
                    completion(.success(connection))
                case .failure(let error):
                    completion(.failure(Self.connectError(error, address)))
                }
            }
        } catch {
            // Reported on the next loop iteration, as a successful start would be.
            let timer = EventLoop.Timer(loop: loop)
            timer.start(after: .zero) { timer in
                timer.close()
                completion(.failure(Self.connectError(error, address)))
            }
        }
    }

    private static func connectError(_ error: UVError, _ address: String) -> HTTPClientError {
        error.code == .connectionRefused ? .connectionRefused(address) : .connectFailed(error.description)
    }

    private func start() {
        try? tcp.setNoDelay(true)
        do {
            // The read callback holds the connection while it is open, like any open handle.
            try tcp.startReading { event in self.didRead(event) }
        } catch {
            fail(.io(error.description))
        }
    }

    /// Sends `request`; `completion` gets its whole response (or the failure).
    /// On a closed connection it fails at once with `.closed`.
    public func send(_ request: HTTPClientRequest,
                     completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void) {
        loop.preconditionOnLoopThread()
        guard !isClosed else { return completion(.failure(.closed)) }
        parser.expectResponse(toMethod: request.method)
        pending.append(.buffered(completion))
        write(request)
    }

    /// Sends `request` and delivers its response as it arrives: `onHead` with
    /// the status and headers, `onBody` per piece (chunked encoding removed, no
    /// size limit), then `onEnd` once: nil at the end of the body, or the error
    /// (`.closed` also when `close()` ends the stream).
    public func stream(_ request: HTTPClientRequest, onHead: @escaping (Int, HTTPHeaders) -> Void,
                       onBody: @escaping ([UInt8]) -> Void, onEnd: @escaping (HTTPClientError?) -> Void) {
        loop.preconditionOnLoopThread()
        guard !isClosed else { return onEnd(.closed) }
        parser.expectResponse(toMethod: request.method, streaming: true)
        pending.append(.streaming(onHead: onHead, onBody: onBody, onEnd: onEnd))
        write(request)
    }

    /// Closes the connection; waiting requests fail with `.closed`. Closing a
    /// closed connection does nothing.
    public func close() {
        loop.preconditionOnLoopThread()
        fail(.closed)
    }

    private func write(_ request: HTTPClientRequest) {
        let bytes = HTTPWire.request(method: request.method, target: request.target, host: hostHeader,
                                     headers: request.headers, body: request.body)
        do {
            try tcp.write(bytes) { [weak self] result in
                if case .failure(let error) = result { self?.fail(.io(error.description)) }
            }
        } catch {
            fail(.io(error.description))
        }
    }

    private func didRead(_ event: TCPConnection.ReadEvent) {
        do {
            switch event {
            case .data(let bytes):
                deliver(try parser.feed(bytes))
            case .endOfStream:
                // A body that runs to the end of the connection ends here.
                deliver(try parser.finish())
                fail(.closed)
            case .failure(let error):
                fail(.io(error.description))
            }
        } catch {
            fail(.malformedResponse(error.description))
        }
    }

    private func deliver(_ events: [HTTPParserEvent]) {
        for event in events {
            guard !isClosed else { return }
            switch (event, pending.first) {
            case (.head(let head), .streaming(let onHead, _, _)?):
                onHead(head.status, head.headers)
            case (.body(let bytes), .streaming(_, let onBody, _)?):
                onBody(bytes)
            case (.message(let message), let first?):
                pending.removeFirst()
                switch first {
                case .buffered(let completion):
                    completion(.success(HTTPResponse(status: message.status, headers: message.headers,
                                                     body: message.body)))
                case .streaming(_, _, let onEnd):
                    onEnd(nil)
                }
                if !message.keepAlive { fail(.closed) }
            case (.message, nil):
                // An answer nobody asked for (a server's timeout notice): done here.
                fail(.closed)
            default:
                break
            }
        }
    }

    /// Closes and fails everything waiting with `error`, once.
    private func fail(_ error: HTTPClientError) {
        guard !isClosed else { return }
        isClosed = true
        if !tcp.isClosing { tcp.close() }
        let waiting = pending
        pending = []
        for item in waiting {
            switch item {
            case .buffered(let completion): completion(.failure(error))
            case .streaming(_, _, let onEnd): onEnd(error)
            }
        }
    }
}

@available(*, unavailable)
extension HTTPClientConnection: Sendable {}
