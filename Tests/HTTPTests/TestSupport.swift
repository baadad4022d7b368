import Dispatch
import EventLoop
import Foundation
import Testing
@testable import HTTP

/// Runs `loop` until `condition` holds or `limit` passes; false on timeout.
@discardableResult
func run(_ loop: Loop, for limit: Duration = .seconds(5), until condition: () -> Bool) -> Bool {
    var expired = false
    let timer = EventLoop.Timer(loop: loop)
    timer.start(after: limit) { _ in expired = true }
    while !condition() && !expired { loop.runOnce() }
    timer.close()
    return condition()
}

/// Closes everything on `loop` and runs it until the close callbacks ran.
func shutDown(_ loop: Loop) {
    loop.closeAll()
    loop.run()
}

/// A server on `loop` at 127.0.0.1 and an ephemeral port.
func startServer(_ loop: Loop, _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
                 handler: @escaping (HTTPRequest, HTTPResponder) -> Void) throws -> (HTTPServer, UInt16) {
    let server = HTTPServer(loop: loop, configuration: configuration, handler: handler)
    let port = try server.listen(host: "127.0.0.1", port: 0)
    return (server, port)
}

/// Echoes method, path and body: `GET /a body`.
func echo(_ request: HTTPRequest, _ responder: HTTPResponder) {
    responder.respond(.text(200, "\(request.method) \(request.path) \(request.bodyText)"))
}

/// A plain TCP peer that records everything it receives, to check bytes on the wire.
final class RawClient {
    let connection: TCPConnection
    var received: [UInt8] = []
    /// The server closed (or reset) the connection.
    var ended = false

    init(_ loop: Loop, port: UInt16) throws {
        var result: Result<TCPConnection, UVError>?
        try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: port) { result = $0 }
        run(loop) { result != nil }
        connection = try #require(result).get()
        try connection.startReading { [weak self] event in
            switch event {
            case .data(let bytes): self?.received += bytes
            case .endOfStream, .failure: self?.ended = true
            }
        }
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        guard !connection.isClosing else { return }
        try? connection.write(bytes)
    }

    /// How many complete responses (status lines) arrived so far.
    var statusLines: [String] {
        text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { "HTTP/1.1 " + $0.components(separatedBy: "\r\n")[0] }
    }

    func close() {
        if !connection.isClosing { connection.close() }
    }
}

/// A server on its own thread and loop, for blocking clients on the test's thread.
/// `@unchecked Sendable`: `port` is written before the start semaphore is
/// signalled and only read after it; the loop is reached only through `stopper`.
final class ServerThread: @unchecked Sendable {
    private(set) var port: UInt16 = 0
    private var stopper: AsyncWakeup<Int>.Sender?
    private let started = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    init(_ configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
         makeHandler: @escaping @Sendable (Loop) -> (HTTPRequest, HTTPResponder) -> Void) {
        Thread.detachNewThread { [self] in
            let loop = try! Loop()
            let server = HTTPServer(loop: loop, configuration: configuration, handler: makeHandler(loop))
            self.port = try! server.listen(host: "127.0.0.1", port: 0)
            var wakeup: AsyncWakeup<Int>?
            wakeup = try! AsyncWakeup<Int>(loop: loop) { _ in
                server.close()
                wakeup?.close()
                wakeup = nil
            }
            self.stopper = wakeup!.sender
            self.started.signal()
            loop.run()
            self.stopped.signal()
        }
        started.wait()
    }

    func stop() {
        stopper?.send(0)
        stopped.wait()
    }
}

/// A deterministic generator (SplitMix64), so the fuzz cases are the same every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
