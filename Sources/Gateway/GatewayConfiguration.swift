import Foundation
import HTTP
import Identity

/// How the gateway listens and what it accepts. docs/PROTOCOL.md lists the defaults.
public struct GatewayConfiguration: Sendable {
    /// Loopback by default: exposing a node is a decision, not an accident.
    public var host = "127.0.0.1"
    public var port: UInt16 = 8734
    public var http = HTTPServerConfiguration()
    public var messageLimits = MessageLimits.default
    /// Signed messages (push, spawn) one key may send per second, and the burst it may save up.
    public var messagesPerSecondPerKey = 500.0
    public var messageBurstPerKey = 1_000.0
    /// Dry runs (unsigned, but they cost evaluation) per second per client address, and burst.
    public var dryRunsPerSecondPerClient = 200.0
    public var dryRunBurstPerClient = 400.0
    /// Most entries one `/slots` or `/results` answer holds.
    public var maxPageEntries: Int64 = 1_000
    /// A stream whose client has this many bytes unread is dropped; the client resumes
    /// with Last-Event-ID, so nothing is lost and memory stays bounded.
    public var maxStreamBufferBytes = 1 << 20
    /// Comment lines on idle streams keep proxies open and detect dead peers.
    public var streamHeartbeat: Duration = .seconds(15)
    /// Threads that decode and verify signed pushes off the loop (answers and node
    /// submissions stay in arrival order). 0 checks on the loop thread itself.
    public var checkThreads = min(4, ProcessInfo.processInfo.activeProcessorCount)
    public var version = "0.2.0"
    /// Named processes the node hosts, listed by `GET /~info` under `services`
    /// (`serve` puts its world there, so clients find it without being told).
    public var services: [String: String] = [:]

    public init() {}
}
