import EventLoop
import Testing
@testable import HTTP

@Suite struct HTTPClientTests {
    private func connect(_ loop: Loop, _ port: UInt16) throws -> HTTPClientConnection {
        var result: Result<HTTPClientConnection, HTTPClientError>?
        HTTPClientConnection.connect(loop: loop, host: "127.0.0.1", port: port) { result = $0 }
        #expect(result == nil, "completion never runs before connect returns")
        #expect(run(loop) { result != nil })
        return try #require(result).get()
    }

    @Test func pipelinesRequestsAndMatchesResponsesInOrder() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (server, port) = try startServer(loop, handler: echo)
        let connection = try connect(loop, port)
        var bodies: [String] = []
        for index in 0..<10 {
            let request = HTTPClientRequest(method: index % 2 == 0 ? "GET" : "POST", target: "/\(index)",
                                            body: index % 2 == 0 ? [] : Array("b\(index)".utf8))
            connection.send(request) { result in bodies.append((try? result.get().bodyText) ?? "\(result)") }
        }
        #expect(run(loop) { bodies.count == 10 })
        #expect(bodies[0] == "GET /0 " && bodies[1] == "POST /1 b1" && bodies[9] == "POST /9 b9")
        #expect(server.stats.acceptedConnections == 1)
    }

    @Test func streamsAChunkedResponse() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var stream: HTTPStream?
        let (_, port) = try startServer(loop) { _, responder in stream = responder.startStream(status: 201) }
        let connection = try connect(loop, port)
        var head: Int?
        var pieces: [[UInt8]] = []
        var ends: [HTTPClientError?] = []
        connection.stream(HTTPClientRequest(target: "/s"), onHead: { status, _ in head = status },
                          onBody: { pieces.append($0) }, onEnd: { ends.append($0) })
        #expect(run(loop) { head == 201 })
        stream?.write([1, 2, 3])
        #expect(run(loop) { pieces == [[1, 2, 3]] })
        stream?.write([4])
        #expect(run(loop) { pieces.count == 2 })
        stream?.finish()
        #expect(run(loop) { ends.count == 1 })
        #expect(ends.first! == nil)
        #expect(!connection.isClosed)
    }

    @Test func reportsARefusedConnectionReadably() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (server, port) = try startServer(loop, handler: echo)
        server.close()
        run(loop, for: .milliseconds(20)) { false }
        var result: Result<HTTPClientConnection, HTTPClientError>?
        HTTPClientConnection.connect(loop: loop, host: "127.0.0.1", port: port) { result = $0 }
        #expect(run(loop) { result != nil })
        guard case .failure(let error)? = result else {
            Issue.record("connected to a closed server")
            return
        }
        #expect(error == .connectionRefused("127.0.0.1:\(port)"))
        #expect(error.description.contains("refused"))
    }

    @Test func failsWaitingRequestsWhenTheServerCloses() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (server, port) = try startServer(loop) { _, _ in }
        let connection = try connect(loop, port)
        var results: [Result<HTTPResponse, HTTPClientError>] = []
        connection.send(HTTPClientRequest(target: "/never")) { results.append($0) }
        run(loop, for: .milliseconds(50)) { false }
        server.close()
        #expect(run(loop) { results.count == 1 })
        #expect(results.first.map { if case .failure(.closed) = $0 { true } else { false } } == true)
        #expect(connection.isClosed)
        connection.send(HTTPClientRequest(target: "/again")) { results.append($0) }
        #expect(results.count == 2)
    }

    @Test func blockingClientReusesItsConnectionAndReconnects() throws {
        let server = ServerThread { _ in echo }
        defer { server.stop() }
        let client = BlockingHTTPClient(host: "127.0.0.1", port: server.port, timeout: .seconds(5))
        let first = try client.request("GET", "/one")
        #expect(first.status == 200 && first.bodyText == "GET /one ")
        let second = try client.request("PUT", "/two", headers: [("X-A", "b")], body: Array("data".utf8))
        #expect(second.bodyText == "PUT /two data")
        let closing = try client.request("GET", "/three", headers: [("Connection", "close")])
        #expect(closing.headers["connection"] == "close")
        #expect(try client.request("GET", "/four").bodyText == "GET /four ")
    }

    @Test func blockingClientTimesOutAndSaysSo() throws {
        let server = ServerThread { _ in { _, _ in } }
        defer { server.stop() }
        let client = BlockingHTTPClient(host: "127.0.0.1", port: server.port, timeout: .milliseconds(200))
        #expect(throws: HTTPClientError.timeout) { try client.request("GET", "/hang") }
    }

    @Test func blockingClientReadsServerSentEventsUntilTold() throws {
        let server = ServerThread { loop in
            { request, responder in
                guard request.path == "/events" else { return responder.respond(.error(404, "no")) }
                let stream = responder.startStream(status: 200, headers: ["Content-Type": "text/event-stream"])
                var sent = 0
                let timer = EventLoop.Timer(loop: loop)
                timer.start(after: .milliseconds(5), repeating: .milliseconds(5)) { timer in
                    if stream.isClosed { return timer.close() }
                    sent += 1
                    stream.write(ServerSentEvent(id: "\(sent)", data: "event \(sent)\nline").encoded())
                }
            }
        }
        defer { server.stop() }
        let client = BlockingHTTPClient(host: "127.0.0.1", port: server.port, timeout: .seconds(5))
        var seen: [ServerSentEvent] = []
        let status = try client.stream("/events", onEvent: { event in
            seen.append(event)
            return seen.count < 3
        })
        #expect(status == 200)
        #expect(seen.map(\.id) == ["1", "2", "3"])
        #expect(seen.first?.data == "event 1\nline")
        let missing = try client.stream("/missing", onEvent: { _ in Issue.record("no events on 404"); return false })
        #expect(missing == 404)
        var windowed = 0
        #expect(try client.stream("/events", onEvent: { _ in windowed += 1; return true },
                                  timeout: .milliseconds(100)) == 200)
        #expect(windowed > 0)
    }
}
