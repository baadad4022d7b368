import EventLoop
import Testing
@testable import HTTP

/// Each bad client gets its JSON error and is closed; the server goes on serving.
@Suite struct HTTPServerLimitTests {
    private func expectRefusal(_ status: Int, _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
                               send request: [UInt8], rejection: HTTPRejection) throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (server, port) = try startServer(loop, configuration, handler: echo)
        let bad = try RawClient(loop, port: port)
        bad.send(request)
        #expect(run(loop) { bad.ended }, "the server closes the connection")
        #expect(bad.text.hasPrefix("HTTP/1.1 \(status) "))
        #expect(bad.text.contains("Connection: close\r\n"))
        #expect(bad.text.contains("Content-Type: application/json\r\n"))
        #expect(bad.text.contains("\"status\":\(status)}"))
        #expect(server.stats.rejected[rejection] == 1)
        let good = try RawClient(loop, port: port)
        good.send("GET /next HTTP/1.1\r\n\r\n")
        #expect(run(loop) { good.text.hasSuffix("GET /next ") })
    }

    @Test func refusesAMalformedRequestWith400() throws {
        try expectRefusal(400, send: Array("GET / HTTP/1.1\r\nNo Colon Here\r\n\r\n".utf8), rejection: .malformed)
    }

    @Test func refusesAnOversizedHeadWith431() throws {
        var configuration = HTTPServerConfiguration()
        configuration.maxHeaderBytes = 1024
        let request = "GET / HTTP/1.1\r\nCookie: \(String(repeating: "c", count: 4000))\r\n\r\n"
        try expectRefusal(431, configuration, send: Array(request.utf8), rejection: .headerTooLarge)
    }

    @Test func refusesAnOversizedBodyWith413AtOnceEvenWithExpectContinue() throws {
        var configuration = HTTPServerConfiguration()
        configuration.maxBodyBytes = 1000
        let request = "POST / HTTP/1.1\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"
        try expectRefusal(413, configuration, send: Array(request.utf8), rejection: .bodyTooLarge)
    }

    @Test func refusesASlowHeadWith408() throws {
        var configuration = HTTPServerConfiguration()
        configuration.headerTimeout = .milliseconds(150)
        try expectRefusal(408, configuration, send: Array("GET / HTTP/1.1\r\nHost: slo".utf8), rejection: .headerTimeout)
    }

    @Test func closesAnIdleKeepAliveConnectionSilently() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var configuration = HTTPServerConfiguration()
        configuration.idleTimeout = .milliseconds(100)
        let (server, port) = try startServer(loop, configuration, handler: echo)
        let client = try RawClient(loop, port: port)
        client.send("GET / HTTP/1.1\r\n\r\n")
        #expect(run(loop) { client.ended })
        #expect(client.statusLines == ["HTTP/1.1 200 OK"])
        #expect(server.stats.rejected.isEmpty)
    }

    @Test func refusesConnectionsBeyondTheLimitWith503() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var configuration = HTTPServerConfiguration()
        configuration.maxConnections = 2
        let (server, port) = try startServer(loop, configuration, handler: echo)
        let first = try RawClient(loop, port: port)
        let second = try RawClient(loop, port: port)
        #expect(run(loop) { server.stats.openConnections == 2 })
        let third = try RawClient(loop, port: port)
        third.send("GET / HTTP/1.1\r\n\r\n")
        #expect(run(loop) { third.ended })
        #expect(third.text.hasPrefix("HTTP/1.1 503 "))
        #expect(server.stats.rejected[.tooManyConnections] == 1)
        first.send("GET /still HTTP/1.1\r\n\r\n")
        #expect(run(loop) { first.text.hasSuffix("GET /still ") })
        second.close()
        #expect(run(loop) { server.stats.openConnections == 1 })
        let fourth = try RawClient(loop, port: port)
        fourth.send("GET /room HTTP/1.1\r\n\r\n")
        #expect(run(loop) { fourth.text.hasSuffix("GET /room ") })
    }

    @Test func disconnectsAPeerThatDoesNotRead() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var configuration = HTTPServerConfiguration()
        configuration.maxWriteBuffer = 64 * 1024
        var stream: HTTPStream?
        let (server, port) = try startServer(loop, configuration) { _, responder in
            stream = responder.startStream(status: 200, headers: ["Content-Type": "text/event-stream"])
        }
        let client = try RawClient(loop, port: port)
        client.send("GET /events HTTP/1.1\r\n\r\n")
        #expect(run(loop) { stream != nil })
        client.connection.stopReading()
        var closes = 0
        stream?.onClose = { closes += 1 }
        let block = [UInt8](repeating: 65, count: 64 * 1024)
        #expect(run(loop, for: .seconds(10)) {
            stream?.write(block)
            return stream?.isClosed == true
        })
        #expect(closes == 1)
        #expect(server.stats.rejected[.slowReader] == 1)
    }
}
