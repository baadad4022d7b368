import Client
import Cluster
import Foundation
import Gateway
import HTTP
import Identity

/// A node and its gateway on a temporary database and a free port, for tests.
final class GatewayHarness: @unchecked Sendable {
    let directory: URL
    let node: Node
    let gateway: Gateway
    let port: UInt16
    let key = ClientKey()

    init(configure: (inout GatewayConfiguration) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let feed = CommitFeed()
        var nodeConfiguration = NodeConfiguration(databasePath: directory.appendingPathComponent("node.db").path)
        nodeConfiguration.onCommit = feed.publish
        node = try Node(configuration: nodeConfiguration)
        try node.start()
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configure(&configuration)
        gateway = Gateway(node: node, feed: feed, configuration: configuration)
        port = try gateway.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func client(_ key: ClientKey? = nil) throws -> StarlaneClient {
        try StarlaneClient(server: url, key: key ?? self.key)
    }

    func http() -> BlockingHTTPClient { BlockingHTTPClient(host: "127.0.0.1", port: port, timeout: .seconds(10)) }

    func spawn(_ source: String, tags: [ClientTag] = []) throws -> String {
        let answer = try client().spawn(source: source, tags: tags, waitForResult: true)
        if let error = answer.result?.Error { throw ClientError(status: nil, message: "boot failed: \(error)") }
        return answer.process
    }

    /// A signed push body, as a client in any language would build it.
    func signedBody(to target: String, kind: SignedMessage.Kind = .push, tags: [(String, String)], data: String = "",
                    nonce: String = UUID().uuidString, key: ClientKey? = nil) throws -> [UInt8] {
        var message = SignedMessage(kind: kind, target: target, nonce: nonce,
                                    tags: tags.map { .init($0.0, $0.1) }, data: data)
        try (key ?? self.key).sign(&message)
        let json: [String: Any] = [
            "nonce": nonce, "tags": tags.map { ["name": $0.0, "value": $0.1] }, "data": data,
            "key": message.key, "signature": message.signature,
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: json))
    }

    deinit {
        gateway.stop()
        node.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Modules the tests spawn.
enum Modules {
    /// Counts, publishes its count, answers its sender, and tells a listener on Notify.
    static let counter = """
        Count = 0
        Handlers.add('Add', 'Add', function(msg)
          Count = Count + (tonumber(msg.Data) or 0)
          Send({ device = 'patch@1.0', count = Count, board = { leader = msg.From, n = Count } })
          msg.reply({ Action = 'Added', Data = tostring(Count) })
        end)
        Handlers.add('Boom', 'Boom', function(msg) error('boom') end)
        Handlers.add('Say', 'Say', function(msg) print('said ' .. msg.Data) end)
        """
}

/// One raw TCP exchange: for bytes no well-behaved client would send.
enum RawSocket {
    /// Sends `bytes`, then reads until the peer closes or `seconds` pass.
    static func exchange(port: UInt16, _ bytes: [UInt8], seconds: Double = 5, closeWrite: Bool = false) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if closeWrite { shutdown(fd, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
