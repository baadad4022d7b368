import EventLoop
import Testing
@testable import HTTP

/// Mutated and random requests over real connections: none may crash or stall
/// the server, and a normal request must still succeed afterwards.
@Suite struct HTTPFuzzTests {
    static let seeds = [
        "GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.1\r\n\r\n",
        "PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u{0}\u{1}",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0 where !bytes.isEmpty: bytes[index] ^= UInt8.random(in: 1...255, using: &random)
            case 1: bytes = Array(bytes.prefix(index))
            case 2: bytes.insert([13, 10, 0][Int.random(in: 0..<3, using: &random)], at: index)
            case 3: bytes.insert(contentsOf: Array("Content-Length: 99999999999999999999\r\n".utf8), at: index)
            case 4: bytes.insert(contentsOf: Array("\r\nffffffffffffffffff\r\n".utf8), at: index)
            case 5: bytes.insert(contentsOf: (0..<Int.random(in: 1...64, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random) }, at: index)
            case 6: bytes += bytes.prefix(Int.random(in: 0...bytes.count, using: &random))
            default: bytes.insert(contentsOf: Array("Transfer-Encoding: chunked\r\n".utf8), at: index)
            }
        }
        return bytes
    }

    @Test func survivesTwoThousandGarbageRequests() throws {
        let loop = try Loop()
        defer { shutDown(loop) }
        var configuration = HTTPServerConfiguration()
        configuration.headerTimeout = .milliseconds(300)
        configuration.idleTimeout = .milliseconds(300)
        configuration.lingerTimeout = .milliseconds(100)
        configuration.maxBodyBytes = 64 * 1024
        let (server, port) = try startServer(loop, configuration, handler: echo)
        var random = SeededGenerator(state: 0x5EED)
        let cases = (0..<2000).map { index in
            index % 10 == 9 ? (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                : Self.mutate(Self.seeds[index % Self.seeds.count], &random)
        }
        var next = 0
        var open: [RawClient] = []
        let clock = ContinuousClock()
        let started = clock.now
        while next < cases.count || !open.isEmpty {
            while open.count < 64 && next < cases.count {
                let client = try RawClient(loop, port: port)
                client.send(cases[next])
                try? client.connection.shutdown()
                open.append(client)
                next += 1
            }
            loop.runOnce()
            for client in open where client.ended { client.close() }
            open.removeAll { $0.ended }
            if clock.now - started > .seconds(20) { break }
        }
        #expect(open.isEmpty, "\(open.count) connections never finished")
        #expect(clock.now - started < .seconds(15))
        #expect(run(loop) { server.stats.openConnections == 0 })
        let good = try RawClient(loop, port: port)
        good.send("GET /alive HTTP/1.1\r\n\r\n")
        #expect(run(loop) { good.text.hasSuffix("GET /alive ") })
        #expect(server.stats.acceptedConnections == 2001)
    }
}
