internal import EventLoop

/// A blocking HTTP client for CLIs and tests: it owns a private `Loop` and runs
/// it on the calling thread only while a call is in progress. Keeps one
/// keep-alive connection and reconnects when the server closed it. Use it from
/// one thread; it is not Sendable.
public final class BlockingHTTPClient {
    public let host: String
    public let port: UInt16
    /// The limit for connecting and for each response (and a stream's head).
    public let timeout: Duration
    private var loop: Loop?
    private var connection: HTTPClientConnection?

    public init(host: String, port: UInt16, timeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    public convenience init(url: HTTPURL, timeout: Duration = .seconds(30)) {
        self.init(host: url.host, port: url.port, timeout: timeout)
    }

    deinit { close() }

    /// Sends one request and waits for its response. A GET or HEAD that finds
    /// its reused connection closed under it is retried once on a new one;
    /// other methods are not, as the server may have acted on them.
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [],
                        body: [UInt8] = []) throws(HTTPClientError) -> HTTPResponse {
        let request = HTTPClientRequest(method: method, target: path, headers: HTTPHeaders(headers), body: body)
        let reused = connection.map { !$0.isClosed } ?? false
        do {
            return try send(request)
        } catch {
            guard error == .closed, reused, method == "GET" || method == "HEAD" else { throw error }
            return try send(request)
        }
    }

    /// Opens a Server-Sent Events stream on its own connection and calls
    /// `onEvent` for each event until it returns false, the server ends the
    /// stream, or `timeout` (if any) passes; returns the response status.
    /// Events are only parsed from 2xx responses. Throws if no head arrives
    /// within the client's `timeout`, or if the connection fails.
    public func stream(_ path: String, headers: [(String, String)] = [],
                       onEvent: @escaping (ServerSentEvent) -> Bool, timeout: Duration? = nil) throws(HTTPClientError) -> Int {
        let loop = try privateLoop()
        let connection = try connect(loop)
        var fields = HTTPHeaders(headers)
        if fields["Accept"] == nil { fields["Accept"] = "text/event-stream" }
        var status: Int?
        var ended: HTTPClientError??
        var stopped = false
        var parser = ServerSentEventParser()
        connection.stream(HTTPClientRequest(target: path, headers: fields), onHead: { code, _ in status = code },
                          onBody: { bytes in
                              guard !stopped, let code = status, (200..<300).contains(code) else { return }
                              for event in parser.feed(bytes) where !stopped {
                                  if !onEvent(event) {
                                      stopped = true
                                      connection.close()
                                  }
                              }
                          }, onEnd: { error in ended = .some(error) })
        defer { finish(connection, loop) }
        guard run(loop, for: self.timeout, until: { status != nil || ended != nil }) else { throw .timeout }
        guard let code = status else { throw (ended ?? nil) ?? .closed }
        run(loop, for: timeout, until: { stopped || ended != nil })
        if !stopped, case .some(.some(let error)) = ended, error != .closed { throw error }
        return code
    }

    /// Closes the connection and releases the private loop's handles.
    public func close() {
        guard let loop else { return }
        connection?.close()
        connection = nil
        loop.closeAll()
        loop.run()
    }

    // MARK: Running the loop

    private func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPResponse {
        let loop = try privateLoop()
        let connection = try keptConnection(loop)
        var result: Result<HTTPResponse, HTTPClientError>?
        connection.send(request) { result = $0 }
        guard run(loop, for: timeout, until: { result != nil }) else {
            abandon(loop)
            throw .timeout
        }
        if connection.isClosed { self.connection = nil }
        return try result!.get()
    }

    private func privateLoop() throws(HTTPClientError) -> Loop {
        if let loop { return loop }
        do {
            let loop = try Loop()
            self.loop = loop
            return loop
        } catch {
            throw .io(error.description)
        }
    }

    private func keptConnection(_ loop: Loop) throws(HTTPClientError) -> HTTPClientConnection {
        if let connection {
            // Notice a close that arrived while the loop was not running.
            loop.runNoWait()
            if !connection.isClosed { return connection }
        }
        let fresh = try connect(loop)
        connection = fresh
        return fresh
    }

    private func connect(_ loop: Loop) throws(HTTPClientError) -> HTTPClientConnection {
        var result: Result<HTTPClientConnection, HTTPClientError>?
        HTTPClientConnection.connect(loop: loop, host: host, port: port) { result = $0 }
        guard run(loop, for: timeout, until: { result != nil }) else {
            abandon(loop)
            throw .timeout
        }
        return try result!.get()
    }

    /// Runs the loop until `done()` or until `limit` passes; false on timeout.
    @discardableResult
    private func run(_ loop: Loop, for limit: Duration?, until done: () -> Bool) -> Bool {
        var expired = false
        let timer = EventLoop.Timer(loop: loop)
        if let limit { timer.start(after: limit) { _ in expired = true } }
        while !done() && !expired { loop.runOnce() }
        timer.close()
        return done()
    }

    private func finish(_ connection: HTTPClientConnection, _ loop: Loop) {
        connection.close()
        loop.runNoWait()
    }

    /// After a timeout nothing on the loop is worth keeping: a connection with
    /// an unanswered request cannot carry the next one.
    private func abandon(_ loop: Loop) {
        connection?.close()
        connection = nil
        loop.closeAll()
        loop.run()
    }
}

@available(*, unavailable)
extension BlockingHTTPClient: Sendable {}
