import Foundation
import Testing
@testable import Cluster

/// Emitted messages to ids that are no process are dropped where they were emitted
/// (ProcessDirectory), while every process, however new, still gets its messages.
@Suite(.serialized) struct ProcessDirectoryTests {
    static let sender = """
        Handlers.add('Go', 'Go', function(msg)
          for target in msg.Data:gmatch('[^,]+') do Send({ Target = target, Action = 'Hit' }) end
        end)
        """
    static let counter = "Hits = 0\nHandlers.add('Hit', 'Hit', function() Hits = Hits + 1 end)"

    @Test(arguments: [true, false])
    func messagesToNoProcessStayOnTheirShard(durable: Bool) async throws {
        let h = try NodeHarness { $0.durable = durable; $0.shards = 2 }
        let sender = try await h.spawn(Self.sender)
        let elsewhere = (h.node.shardIndex(of: sender) + 1) % 2
        // Ids on the other shard: 20 that are no process, and a real process there.
        let strangers = (0...).lazy.map { Identifiers.derive("nobody", String($0)) }
            .filter { h.node.shardIndex(of: $0) == elsewhere }.prefix(20)
        let nonce = (0...).lazy.map { "counter-\($0)" }.first {
            h.node.shardIndex(of: Node.spawnID(source: Self.counter, owner: NodeHarness.owner, nonce: $0)) == elsewhere
        }!
        let counter = try await h.node.spawn(module: Self.counter, owner: NodeHarness.owner, nonce: nonce).process
        try await h.node.waitUntilIdle()

        let before = h.node.handOffs
        let dropped = try await h.send(sender, "Go", data: strangers.joined(separator: ","))
        #expect(dropped.result.error == nil)
        #expect(dropped.result.messages.count == 20)   // still in the result (and the log)
        #expect(h.node.handOffs - before == 1)          // the push itself, no message hops

        let between = h.node.handOffs
        try await h.send(sender, "Go", data: Array(repeating: counter, count: 5).joined(separator: ","))
        #expect(h.node.handOffs - between >= 2)         // the push, and the hits crossing over
        #expect(try await h.eventually { try await h.value(counter, "Hits") == "5" })

        guard durable else { return }
        // After a restart the directory is rebuilt from the log.
        try h.restart()
        try await h.send(sender, "Go", data: Array(repeating: counter, count: 5).joined(separator: ","))
        #expect(try await h.eventually { try await h.value(counter, "Hits") == "10" })
    }

    /// A parent messages each child as soon as it hears `Spawned`, before the child's
    /// shard may have made it: the child is known from the moment it is decided.
    @Test func childrenHearTheirParentAtOnce() async throws {
        let h = try NodeHarness { $0.shards = 2 }
        let (parent, answered) = try await h.childrenAnswerTheirParent(30)
        #expect(answered)
        // Both shards ran children.
        let children = try await h.node.processIDs().filter { $0 != parent }
        #expect(Set(children.map { h.node.shardIndex(of: $0) }).count == 2)
    }
}
