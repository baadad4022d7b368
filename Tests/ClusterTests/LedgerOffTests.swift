import Foundation
import Testing
@testable import Cluster

/// The benchmark baseline: a node with the ledger off still runs everything it runs
/// durably (nothing survives a restart, that is all).
@Suite(.serialized) struct LedgerOffTests {
    @Test func childrenSpawnFromAStoredModuleOnEveryShard() async throws {
        let h = try NodeHarness { $0.durable = false; $0.shards = 4 }
        // 20 children on 4 shards: every one was created from the module and answered.
        #expect(try await h.childrenAnswerTheirParent(20).answered)
        #expect(try await h.node.processIDs().count == 21)
    }
}
