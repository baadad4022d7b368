import Testing
@testable import EventLoop

@Suite struct TCPConnectionTests {
    /// 1 MiB of a pattern that a dropped or reordered chunk would break.
    static let payload: [UInt8] = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    @Test func anEchoServerAndAClientExchangeOneMebibyteBothWays() throws {
        let loop = try Loop()
        var serverReceived = 0
        var clientReceived: [UInt8] = []
        var clientWrites = 0
        var shutdowns = 0
        var closes = 0
        var accepted = 0

        var server: TCPServer?
        server = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { result in
            guard case .success(let connection) = result else { Issue.record("accept failed: \(result)"); return }
            accepted += 1
            server!.close { closes += 1 }
            attempt {
                try connection.startReading { event in
                    switch event {
                    case .data(let bytes):
                        serverReceived += bytes.count
                        attempt { try connection.write(bytes) }
                    case .endOfStream:
                        attempt {
                            try connection.shutdown { result in
                                if case .success = result { shutdowns += 1 }
                                connection.close { closes += 1 }
                            }
                        }
                    case .failure(let error):
                        Issue.record(error)
                        connection.close { closes += 1 }
                    }
                }
            }
        }
        let port = server!.port
        #expect(port != 0)
        #expect(server!.localAddress == SocketAddress(host: "127.0.0.1", port: port))

        try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: port) { result in
            guard case .success(let client) = result else { Issue.record("connect failed: \(result)"); return }
            #expect(client.remoteAddress == SocketAddress(host: "127.0.0.1", port: port))
            attempt {
                try client.setNoDelay(true)
                try client.startReading { event in
                    switch event {
                    case .data(let bytes):
                        #expect(bytes.count <= Loop.readBufferSize)
                        clientReceived += bytes
                    case .endOfStream:
                        client.close { closes += 1 }
                    case .failure(let error):
                        Issue.record(error)
                        client.close { closes += 1 }
                    }
                }
                try client.write(Self.payload) { result in
                    if case .success = result { clientWrites += 1 }
                }
                // Queued behind the write: the server sees the end after all bytes.
                try client.shutdown { result in
                    if case .success = result { shutdowns += 1 }
                }
            }
        }
        loop.run()

        #expect(accepted == 1)
        #expect(serverReceived == Self.payload.count)
        #expect(clientReceived.count == Self.payload.count)
        #expect(clientReceived == Self.payload)
        #expect(clientWrites == 1)
        #expect(shutdowns == 2)
        #expect(closes == 3)
        try loop.close()
    }

    /// A peer that hangs up while we write makes write(2) fail with EPIPE: the write
    /// reports an error, and the process (this test run) is not killed by SIGPIPE.
    @Test func writingToAPeerThatHungUpFailsInsteadOfKillingTheProcess() throws {
        let loop = try Loop()
        var server: TCPServer?
        server = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { result in
            guard case .success(let connection) = result else { return }
            connection.close()   // hang up at once
            server!.close()
        }
        var failures = 0
        var attempts = 0
        try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: server!.port) { result in
            guard case .success(let client) = result else { Issue.record("connect failed"); return }
            // Keep writing until the kernel reports the broken pipe.
            func writeMore() {
                attempts += 1
                do {
                    try client.write(Self.payload) { outcome in
                        if case .failure = outcome {
                            failures += 1
                            client.close()
                        } else if attempts < 200 {
                            writeMore()
                        } else {
                            client.close()
                        }
                    }
                } catch {
                    failures += 1
                    client.close()
                }
            }
            writeMore()
        }
        _ = loop.run()
        #expect(failures == 1)
        #expect(attempts < 200)
    }

    @Test func connectingToAClosedPortReportsConnectionRefusedAndNoData() throws {
        let loop = try Loop()
        // A port that was free a moment ago, and is closed now.
        let probe = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { _ in }
        let port = probe.port
        probe.close()
        loop.run()

        var errors: [UVError] = []
        var dataCallbacks = 0
        let connection = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: port) { result in
            switch result {
            case .success(let connection):
                Issue.record("connected to a closed port")
                attempt { try connection.startReading { _ in dataCallbacks += 1 } }
                connection.close()
            case .failure(let error):
                errors.append(error)
            }
        }
        loop.run()

        #expect(errors.map(\.code) == [.connectionRefused])
        #expect(errors.first?.name == "ECONNREFUSED")
        #expect(errors.first?.operation == "connect to 127.0.0.1:\(port)")
        #expect(dataCallbacks == 0)
        // The failed connection was closed for us, and only once.
        #expect(connection.isClosing)
        try loop.close()
    }

    @Test func aHostNameIsResolvedBeforeConnecting() throws {
        let loop = try Loop()
        var accepted = 0
        var connected = 0
        var server: TCPServer?
        server = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { result in
            if case .success(let connection) = result {
                accepted += 1
                connection.close()
            }
            server!.close()
        }
        try TCPConnection.connect(loop: loop, host: "localhost", port: server!.port) { result in
            if case .success(let connection) = result {
                connected += 1
                connection.close()
            } else {
                Issue.record("connect failed: \(result)")
            }
        }
        loop.run()
        #expect(accepted == 1)
        #expect(connected == 1)
        try loop.close()
    }

    @Test func anUnknownHostFailsInTheCallback() throws {
        let loop = try Loop()
        var errors: [UVError] = []
        let connection = try TCPConnection.connect(loop: loop, host: "no-such-host.invalid", port: 80) { result in
            if case .failure(let error) = result { errors.append(error) }
        }
        loop.run()
        #expect(errors.count == 1)
        #expect(errors.first?.operation == "resolve no-such-host.invalid")
        #expect(connection.isClosing)
        try loop.close()
    }

    @Test func closingDuringAConnectCancelsItWithOneCallback() throws {
        let loop = try Loop()
        let server = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { result in
            if case .success(let connection) = result { connection.close() }
        }
        var results: [Result<TCPConnection, UVError>] = []
        var closes = 0
        let connection = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: server.port) {
            results.append($0)
        }
        connection.close { closes += 1 }
        server.close()
        loop.run()
        #expect(results.count == 1)
        if case .failure(let error) = results.first { #expect(error.code == .canceled) } else { Issue.record("\(results)") }
        #expect(closes == 1)
        try loop.close()
    }

    @Test func writesPendingAtCloseCompleteAsCanceledBeforeTheCloseCallback() throws {
        let loop = try Loop()
        var peer: TCPConnection?
        let server = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { result in
            // Accept but never read, so the client's write backs up.
            if case .success(let connection) = result { peer = connection }
        }
        var events: [String] = []
        try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: server.port) { result in
            guard case .success(let client) = result else { Issue.record("\(result)"); return }
            attempt {
                // More than the kernel buffers of both ends can take.
                try client.write([UInt8](repeating: 7, count: 64 << 20)) { result in
                    if case .failure(let error) = result { events.append("write \(error.name)") }
                    else { events.append("write done") }
                }
                #expect(client.writeQueueSize > 0)
                client.close {
                    events.append("closed")
                    peer?.close()
                    server.close()
                }
            }
        }
        loop.run()
        #expect(events == ["write ECANCELED", "closed"])
        try loop.close()
    }
}
