public import EventLoop

/// An HTTP/1.1 server on a `Loop`: keep-alive, pipelining, `Expect:
/// 100-continue`, chunked streams (Server-Sent Events), and limits against
/// clients that send too much, too slowly, or read too slowly.
///
/// Everything runs on the loop thread; `handler` is called there once per
/// request, in request order per connection, and answers through its
/// `HTTPResponder` now or later. One repeating timer checks every connection's
/// deadline, which costs less than a timer per connection.
public final class HTTPServer {
    public let loop: Loop
    public let configuration: HTTPServerConfiguration
    let handler: (HTTPRequest, HTTPResponder) -> Void
    private var listener: TCPServer?
    private var ticker: EventLoop.Timer?
    private var connections: [ObjectIdentifier: HTTPServerConnection] = [:]
    /// Counters for metrics.
    public internal(set) var stats = HTTPServerStats()
    public private(set) var isClosed = false

    public init(loop: Loop, configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
                handler: @escaping (HTTPRequest, HTTPResponder) -> Void) {
        self.loop = loop
        self.configuration = configuration
        self.handler = handler
    }

    /// Binds `host` (an IP literal) and `port` (0 picks a free one) and starts
    /// accepting. Returns the bound port. Listening twice is a bug.
    @discardableResult
    public func listen(host: String, port: UInt16) throws(UVError) -> UInt16 {
        loop.preconditionOnLoopThread()
        precondition(listener == nil && !isClosed, "HTTPServer.listen called twice or after close")
        // The server holds the listener and the listener's callback holds the
        // server: the cycle lasts until close(), like any open handle.
        let listener = try TCPServer(loop: loop, host: host, port: port) { result in
            guard case .success(let connection) = result else { return }  // The listener keeps going.
            self.accept(connection)
        }
        self.listener = listener
        let ticker = EventLoop.Timer(loop: loop)
        let tick = Self.tickInterval(configuration)
        ticker.start(after: tick, repeating: tick) { _ in self.checkDeadlines() }
        self.ticker = ticker
        return listener.port
    }

    /// The bound address, once listening.
    public var localAddress: SocketAddress? { listener?.localAddress }

    /// Stops accepting and closes every connection (open streams see `onClose`).
    /// Closing twice does nothing.
    public func close() {
        loop.preconditionOnLoopThread()
        guard !isClosed else { return }
        isClosed = true
        if let listener, !listener.isClosing { listener.close() }
        if let ticker, !ticker.isClosing { ticker.close() }
        for connection in Array(connections.values) { connection.close() }
    }

    private func accept(_ tcp: TCPConnection) {
        stats.acceptedConnections += 1
        try? tcp.setNoDelay(true)
        let refused = stats.openConnections >= configuration.maxConnections
        let connection = HTTPServerConnection(server: self, tcp: tcp, countsAsOpen: !refused)
        connections[ObjectIdentifier(connection)] = connection
        if refused {
            connection.reject(.tooManyConnections, "too many connections")
        } else {
            stats.openConnections += 1
            connection.start()
        }
    }

    /// Called by a connection once, when it closes.
    func connectionClosed(_ connection: HTTPServerConnection) {
        connections[ObjectIdentifier(connection)] = nil
        if connection.countsAsOpen { stats.openConnections -= 1 }
    }

    func count(_ rejection: HTTPRejection) {
        stats.rejected[rejection, default: 0] += 1
    }

    private func checkDeadlines() {
        let now = loop.now
        for connection in Array(connections.values) { connection.checkDeadline(now: now) }
    }

    /// A quarter of the shortest timeout, so a deadline is missed by at most 25%,
    /// between 10 ms and 1 s.
    private static func tickInterval(_ configuration: HTTPServerConfiguration) -> Duration {
        let shortest = min(configuration.headerTimeout, configuration.idleTimeout, configuration.lingerTimeout)
        return min(max(shortest / 4, .milliseconds(10)), .seconds(1))
    }
}

@available(*, unavailable)
extension HTTPServer: Sendable {}
