import Foundation
import Testing
@testable import Cluster

/// The benchmark baseline: a node with the ledger off still runs everything it runs
/// durably (nothing survives a restart, that is all).
@Suite(.serialized) struct LedgerOffTests {
    @Test func childrenSpawnFromAStoredModuleOnEveryShard() async throws {
        let h = try NodeHarness { $0.durable = false; $0.shards = 4 }
        let child = "Handlers.add('Hi', 'Hi', function(msg) msg.reply({ Action = 'Hello' }) end)"
        let module = try await h.node.storeModule(child)
        let parent = try await h.spawn("""
            Hellos = 0
            Handlers.add('Go', 'Go', function(msg)
              for i = 1, 20 do Spawn('\(module)', { Data = 'x' }) end
            end)
            Handlers.add('Spawned', 'Spawned', function(msg) Send({ Target = msg.Process, Action = 'Hi' }) end)
            Handlers.add('Hello', 'Hello', function(msg) Hellos = Hellos + 1 end)
            """)
        try await h.send(parent, "Go")
        // 20 children on 4 shards: every one was created from the module and answered.
        #expect(try await h.eventually { try await h.value(parent, "Hellos") == "20" })
        #expect(try await h.node.processIDs().count == 21)
    }
}
