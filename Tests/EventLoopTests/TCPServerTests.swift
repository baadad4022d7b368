import Testing
@testable import EventLoop

@Suite struct TCPServerTests {
    @Test func listeningOnATakenPortThrowsAndNeverCallsBack() throws {
        let loop = try Loop()
        var connections = 0
        let first = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { _ in connections += 1 }
        let error = #expect(throws: UVError.self) {
            _ = try TCPServer(loop: loop, host: "127.0.0.1", port: first.port) { _ in connections += 1 }
        }
        #expect(error?.code == .addressInUse)
        #expect(error?.operation == "listen on 127.0.0.1:\(first.port)")
        first.close()
        loop.run()
        #expect(connections == 0)
        // The failed server's handle was closed too, or this would throw `.busy`.
        try loop.close()
    }

    @Test func aHostThatIsNotAnIPLiteralIsRejected() throws {
        let loop = try Loop()
        let error = #expect(throws: UVError.self) {
            _ = try TCPServer(loop: loop, host: "not an address", port: 0) { _ in }
        }
        #expect(error?.code == .invalidArgument)
        loop.run()
        try loop.close()
    }

    @Test func aServerAcceptsManyConnectionsAndStaysOpenUntilClosed() throws {
        let loop = try Loop()
        let clients = 20
        var accepted: [TCPConnection] = []
        var peers = Set<SocketAddress>()
        var serverCloses = 0
        var server: TCPServer?
        server = try TCPServer(loop: loop, host: "::1", port: 0) { result in
            guard case .success(let connection) = result else { Issue.record("\(result)"); return }
            accepted.append(connection)
            if let peer = connection.remoteAddress { peers.insert(peer) }
            if accepted.count == clients {
                server!.close { serverCloses += 1 }
                for connection in accepted { connection.close() }
            }
        }
        #expect(server!.localAddress.description == "[::1]:\(server!.port)")
        var connected = 0
        for _ in 0..<clients {
            try TCPConnection.connect(loop: loop, host: "::1", port: server!.port) { result in
                guard case .success(let client) = result else { Issue.record("\(result)"); return }
                connected += 1
                attempt {
                    #expect(try client.localAddress().host == "::1")
                    try client.startReading { event in
                        if event == .endOfStream { client.close() }
                    }
                }
            }
        }
        loop.run()
        #expect(accepted.count == clients)
        #expect(connected == clients)
        #expect(peers.count == clients)
        #expect(serverCloses == 1)
        try loop.close()
    }
}
