import Foundation
@testable import Cluster
import Ledger
import LuaVM

/// A node on a temporary database, for tests.
final class NodeHarness: @unchecked Sendable {
    static let owner = Identifiers.derive("test", "owner")
    let directory: URL
    var node: Node
    var configuration: NodeConfiguration

    init(configure: (inout NodeConfiguration) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configuration = NodeConfiguration(databasePath: directory.appendingPathComponent("node.db").path)
        configure(&configuration)
        node = try Node(configuration: configuration)
        try node.start()
    }

    /// Stops the node and starts a new one on the same database.
    func restart() throws {
        node.stop()
        node = try Node(configuration: configuration)
        try node.start()
    }

    func spawn(_ source: String, tags: [Tag] = []) async throws -> String {
        let receipt = try await node.spawn(module: source, owner: Self.owner, tags: tags)
        if let error = receipt.result.error { throw NodeError.invalidRequest("boot failed: \(error)") }
        return receipt.process
    }

    @discardableResult
    func send(_ target: String, _ action: String, data: String = "", tags: [Tag] = [],
              from: String = NodeHarness.owner) async throws -> PushReceipt {
        try await node.push(to: target, from: from, tags: [Tag("Action", action)] + tags, data: data)
    }

    /// A parent that spawns `count` children from a stored module and messages each as
    /// soon as it hears `Spawned`; true once every child has answered (`Hellos`).
    func childrenAnswerTheirParent(_ count: Int) async throws -> (parent: String, answered: Bool) {
        let child = "Handlers.add('Hi', 'Hi', function(msg) msg.reply({ Action = 'Hello' }) end)"
        let module = try await node.storeModule(child)
        let parent = try await spawn("""
            Hellos = 0
            Handlers.add('Go', 'Go', function(msg)
              for i = 1, \(count) do Spawn('\(module)', { Data = 'x' }) end
            end)
            Handlers.add('Spawned', 'Spawned', function(msg) Send({ Target = msg.Process, Action = 'Hi' }) end)
            Handlers.add('Hello', 'Hello', function(msg) Hellos = Hellos + 1 end)
            """)
        try await send(parent, "Go")
        let answered = try await eventually { try await value(parent, "Hellos") == String(count) }
        return (parent, answered)
    }

    func value(_ process: String, _ expression: String) async throws -> String? {
        try await node.inspect(process, "return tostring(\(expression))")
    }

    /// Polls until `condition` holds or `seconds` pass.
    func eventually(_ seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return try await condition()
    }

    deinit {
        node.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
