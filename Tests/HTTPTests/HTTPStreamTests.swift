import EventLoop
import Testing
@testable import HTTP

@Suite struct HTTPStreamTests {
    @Test func deliversChunksAsTheyAreWrittenAndEndsCleanly() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var stream: HTTPStream?
        let (server, port) = try startServer(loop) { request, responder in
            if request.path == "/stream" {
                stream = responder.startStream(status: 200, headers: ["Content-Type": "text/event-stream"])
            } else {
                echo(request, responder)
            }
        }
        let client = try RawClient(loop, port: port)
        client.send("GET /stream HTTP/1.1\r\n\r\n")
        #expect(run(loop) { client.text.hasSuffix("\r\n\r\n") })
        #expect(client.text.contains("Transfer-Encoding: chunked\r\n"))
        #expect(!client.text.contains("Content-Length"))
        stream?.write(Array("first".utf8))
        #expect(run(loop) { client.text.hasSuffix("5\r\nfirst\r\n") })
        stream?.write(Array("second!".utf8))
        #expect(run(loop) { client.text.hasSuffix("7\r\nsecond!\r\n") })
        #expect(stream?.bufferedBytes == 0)
        var closes = 0
        stream?.onClose = { closes += 1 }
        stream?.finish()
        #expect(stream?.isClosed == true)
        #expect(run(loop) { client.text.hasSuffix("0\r\n\r\n") })
        client.send("GET /after HTTP/1.1\r\n\r\n")
        #expect(run(loop) { client.text.hasSuffix("GET /after ") })
        #expect(closes == 0, "finishing is not a disconnect")
        #expect(server.stats.requestsServed == 2)
    }

    @Test func callsOnCloseOnceWhenTheClientDisconnects() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var stream: HTTPStream?
        let (server, port) = try startServer(loop) { _, responder in
            stream = responder.startStream(status: 200, headers: [:])
        }
        let client = try RawClient(loop, port: port)
        client.send("GET /events HTTP/1.1\r\n\r\n")
        #expect(run(loop) { stream != nil })
        var closes = 0
        stream?.onClose = { closes += 1 }
        client.close()
        #expect(run(loop) { closes == 1 })
        stream?.write(Array("into the void".utf8))
        stream?.finish()
        run(loop, for: .milliseconds(50)) { false }
        #expect(closes == 1)
        #expect(stream?.isClosed == true)
        #expect(server.stats.openConnections == 0)
    }

    @Test func holdsAStreamBehindAnEarlierPendingAnswer() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var first: HTTPResponder?
        var stream: HTTPStream?
        let (_, port) = try startServer(loop) { request, responder in
            if request.path == "/slow" { first = responder } else {
                stream = responder.startStream(status: 200, headers: [:])
                stream?.write(Array("early".utf8))
            }
        }
        let client = try RawClient(loop, port: port)
        client.send("GET /slow HTTP/1.1\r\n\r\nGET /stream HTTP/1.1\r\n\r\n")
        #expect(run(loop) { stream != nil })
        #expect(client.received.isEmpty)
        #expect(stream?.bufferedBytes ?? 0 > 0)
        first?.respond(.text(200, "slow"))
        #expect(run(loop) { client.text.hasSuffix("5\r\nearly\r\n") })
        #expect(client.text.range(of: "slow")!.lowerBound < client.text.range(of: "early")!.lowerBound)
    }

    @Test func closesTheServerWithAStreamOpen() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var stream: HTTPStream?
        let (server, port) = try startServer(loop) { _, responder in stream = responder.startStream(status: 200) }
        let client = try RawClient(loop, port: port)
        client.send("GET / HTTP/1.1\r\n\r\n")
        #expect(run(loop) { stream != nil })
        var closes = 0
        stream?.onClose = { closes += 1 }
        server.close()
        server.close()
        #expect(closes == 1)
        #expect(run(loop) { client.ended })
    }
}
