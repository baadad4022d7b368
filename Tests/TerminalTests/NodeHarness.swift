import Client
import Cluster
import Foundation
import Gateway
import Identity

/// A node and its gateway on a temporary database and a free port (the few lines of
/// Tests/GatewayTests/GatewayHarness.swift a shell needs).
final class NodeHarness: @unchecked Sendable {
    let directory: URL
    let node: Node
    let gateway: Gateway
    let port: UInt16
    let key = ClientKey()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let feed = CommitFeed()
        var nodeConfiguration = NodeConfiguration(databasePath: directory.appendingPathComponent("node.db").path)
        nodeConfiguration.onCommit = feed.publish
        node = try Node(configuration: nodeConfiguration)
        try node.start()
        var configuration = GatewayConfiguration()
        configuration.port = 0
        gateway = Gateway(node: node, feed: feed, configuration: configuration)
        port = try gateway.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func client(_ key: ClientKey? = nil) throws -> StarlaneClient {
        try StarlaneClient(server: url, key: key ?? self.key)
    }

    func spawn(_ source: String, tags: [ClientTag] = []) throws -> String {
        let answer = try client().spawn(source: source, tags: tags, waitForResult: true)
        if let error = answer.result?.Error { throw ClientError(status: nil, message: "boot failed: \(error)") }
        return answer.process
    }

    deinit {
        gateway.stop()
        node.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// What a session emitted, in order; safe to append from the stream thread.
final class Transcript: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ShellOutputRecord] = []

    struct ShellOutputRecord: Equatable {
        var isError: Bool
        var text: String
    }

    func append(isError: Bool, _ text: String) { lock.withLock { items.append(.init(isError: isError, text: text)) } }

    var all: [ShellOutputRecord] { lock.withLock { items } }
    var outputs: [String] { all.filter { !$0.isError }.map(\.text) }
    var errors: [String] { all.filter(\.isError).map(\.text) }

    func clear() { lock.withLock { items = [] } }

    /// Waits (bounded) until some line satisfies `match`.
    func waitFor(seconds: Double = 10, _ match: (ShellOutputRecord) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if all.contains(where: match) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }
}
