import EventLoop
import Testing
@testable import HTTP

@Suite struct HTTPServerTests {
    @Test func answersGetAndPostOverRawTCP() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (server, port) = try startServer(loop, handler: echo)
        let client = try RawClient(loop, port: port)
        client.send("GET /hello%20world?a=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(run(loop) { client.text.hasSuffix("GET /hello world ") })
        #expect(client.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(client.text.contains("Content-Length: 17\r\n"))
        client.send("POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody")
        #expect(run(loop) { client.text.hasSuffix("POST /p body") })
        #expect(server.stats.requestsServed == 2)
        #expect(server.stats.openConnections == 1)
    }

    @Test func decodesPathSegmentsAndQueryForTheHandler() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var seen: HTTPRequest?
        let (_, port) = try startServer(loop) { request, responder in
            seen = request
            responder.respond(.json(200, "{}"))
        }
        let client = try RawClient(loop, port: port)
        client.send("GET /processes/a%2Fb/x?limit=5&q=a+b%21&flag HTTP/1.1\r\n\r\n")
        #expect(run(loop) { seen != nil })
        #expect(seen?.pathSegments == ["processes", "a/b", "x"])
        #expect(seen?.query == ["limit": "5", "q": "a b!", "flag": ""])
        #expect(seen?.remoteAddress?.hasPrefix("127.0.0.1:") == true)
    }

    @Test func servesManyRequestsOnOneKeepAliveConnection() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (server, port) = try startServer(loop, handler: echo)
        let client = try RawClient(loop, port: port)
        for index in 0..<50 {
            client.send("GET /\(index) HTTP/1.1\r\n\r\n")
            #expect(run(loop) { client.statusLines.count == index + 1 })
        }
        #expect(!client.ended)
        #expect(server.stats.acceptedConnections == 1)
        #expect(server.stats.requestsServed == 50)
    }

    @Test func answersPipelinedRequestsInOrderWhenHandlersFinishOutOfOrder() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var responders: [(String, HTTPResponder)] = []
        let (_, port) = try startServer(loop) { request, responder in responders.append((request.path, responder)) }
        let client = try RawClient(loop, port: port)
        client.send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n")
        #expect(run(loop) { responders.count == 3 })
        for (path, responder) in responders.reversed() { responder.respond(.text(200, "answer \(path)")) }
        responders[0].1.respond(.text(500, "twice"))  // Ignored: already answered.
        #expect(run(loop) { client.text.contains("answer /1") })
        let order = ["answer /1", "answer /2", "answer /3"].map { client.text.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        #expect(!client.text.contains("twice"))
    }

    @Test func stopsReadingAtThePipelineLimitAndResumesWhenDrained() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var configuration = HTTPServerConfiguration()
        configuration.maxPipelinedRequests = 2
        var responders: [HTTPResponder] = []
        let (_, port) = try startServer(loop, configuration) { _, responder in responders.append(responder) }
        let client = try RawClient(loop, port: port)
        client.send(String(repeating: "GET / HTTP/1.1\r\n\r\n", count: 5))
        run(loop, for: .milliseconds(200)) { false }
        #expect(responders.count == 2)
        var answered = 0
        while answered < 5, run(loop, for: .seconds(2), until: { responders.count > answered }) {
            responders[answered].respond(.text(200, "ok"))
            answered += 1
        }
        #expect(answered == 5)
        #expect(run(loop) { client.statusLines.count == 5 })
    }

    @Test func sends100ContinueBeforeTheBodyLikeCurl() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (_, port) = try startServer(loop, handler: echo)
        let client = try RawClient(loop, port: port)
        client.send("POST /upload HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(run(loop) { client.text == "HTTP/1.1 100 Continue\r\n\r\n" })
        client.send("hello")
        #expect(run(loop) { client.text.hasSuffix("POST /upload hello") })
        #expect(client.statusLines == ["HTTP/1.1 100 Continue", "HTTP/1.1 200 OK"])
    }

    @Test func answersHEADWithoutABody() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (_, port) = try startServer(loop) { _, responder in responder.respond(.text(200, "12345")) }
        let client = try RawClient(loop, port: port)
        client.send("HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n")
        #expect(run(loop) { client.text.hasSuffix("12345") })
        #expect(client.statusLines.count == 2)
        #expect(client.text.components(separatedBy: "12345").count == 2)
    }

    @Test func closesAfterHTTP10AndConnectionClose() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        let (server, port) = try startServer(loop, handler: echo)
        let old = try RawClient(loop, port: port)
        old.send("GET /old HTTP/1.0\r\n\r\n")
        let closing = try RawClient(loop, port: port)
        closing.send("GET /bye HTTP/1.1\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\n\r\n")
        let kept = try RawClient(loop, port: port)
        kept.send("GET /kept HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(run(loop) { old.ended && closing.ended && kept.statusLines.count == 1 })
        #expect(old.text.contains("Connection: close\r\n") && old.text.hasSuffix("GET /old "))
        #expect(closing.statusLines.count == 1 && closing.text.contains("Connection: close\r\n"))
        #expect(kept.text.contains("Connection: keep-alive\r\n"))
        #expect(run(loop) { server.stats.openConnections == 1 })
        #expect(!kept.ended)
    }

    @Test func ignoresAResponseWhoseConnectionIsGone() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var later: HTTPResponder?
        let (server, port) = try startServer(loop) { _, responder in later = responder }
        let client = try RawClient(loop, port: port)
        client.send("GET / HTTP/1.1\r\n\r\n")
        #expect(run(loop) { later != nil })
        client.close()
        #expect(run(loop) { server.stats.openConnections == 0 })
        #expect(later?.isConnectionClosed == true)
        later?.respond(.text(200, "too late"))
        #expect(server.stats.requestsServed == 0)
    }
}
