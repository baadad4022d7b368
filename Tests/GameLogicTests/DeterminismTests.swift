import Foundation
import Testing
import Cluster
import Game

/// A tick's outcome never depends on the order in which orders arrived.
@Suite(.serialized) struct DeterminismTests {
    typealias Order = (player: Int, action: String, tags: [String: String], data: String)

    static let orders: [Order] = [
        (0, "Move", ["Ship": "P1.2", "Dir": "W"], ""),   // P1.2 and P3.2 both want 1,0
        (1, "Move", ["Ship": "P3.2", "Dir": "N"], ""),
        (0, "Move", ["Ship": "P1.3", "Dir": "E"], ""),
        (1, "Move", ["Ship": "P3.3", "Dir": "E"], ""),
        (0, "Attack", ["Ship": "P1.1", "Target-Ship": "P3.1"], ""),
        (1, "Attack", ["Ship": "P3.1", "Target-Ship": "P1.1"], ""),
        (0, "Say", [:], "first"),
        (1, "Say", [:], "second"),
    ]

    /// Runs the orders in the given order; returns the states and alice's updates.
    static func run(_ order: [Order]) async throws -> [String] {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        _ = try await h.join("bob")
        let carol = try await h.join("carol")
        try await h.tick()
        let players = [alice, carol]
        for o in order { try await h.order(players[o.player], o.action, o.tags, data: o.data) }
        try await h.tick(2)
        let updates = try h.clientMessages(alice.id, to: alice.address).map { $0.message.data }
        return [try await h.sectorDigest("Sol"), try await h.playerDigest(alice), try await h.playerDigest(carol)] + updates
    }

    @Test func theSameOrdersInAnotherArrivalOrderGiveTheSameStatesAndViews() async throws {
        let forward = try await Self.run(Self.orders)
        let backward = try await Self.run(Self.orders.reversed())
        #expect(forward == backward)
        #expect(forward[0].contains(":1:2:0:"))   // P1.2 stayed: contested cell
        #expect(forward.count > 4)
    }
}
