import Foundation
import Testing
import Cluster
import Game

/// Each order's rule, in the real runtime.
@Suite(.serialized) struct OrdersTests {
    /// Ticks until `ship` of `sector` stands at (x, y); false after `limit` ticks.
    static func travel(_ h: GameHarness, _ sector: String, _ ship: String, to x: Int, _ y: Int, limit: Int = 30) async throws -> Bool {
        for _ in 0..<limit {
            if let s = try await h.ships(sector)[ship], s.x == x, s.y == y { return true }
            try await h.tick()
        }
        return false
    }

    @Test func aShipOnAnOreFieldMinesUpToItsHoldAndSellsAtANeutralPlanet() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        try await h.order(alice, "Move", ["Ship": "P1.3", "X": "3", "Y": "7"])
        #expect(try await Self.travel(h, "Sol", "P1.3", to: 3, 7))
        try await h.order(alice, "Mine", ["Ship": "P1.3"])
        try await h.tick()
        #expect(try await h.ships("Sol")["P1.3"]?.cargo == 2)
        try await h.tick(12)
        #expect(try await h.ships("Sol")["P1.3"]?.cargo == 20)   // the hold is full: 20
        #expect(try await h.sectorDigest("Sol").contains("P1.3:\(alice.id):1:3:7:10:20:-"))   // Mine ended
        #expect(try await h.playerValue(alice, "PlayerSummary().ore") == 20)
        try await h.order(alice, "Move", ["Ship": "P1.3", "X": "3", "Y": "4"])
        #expect(try await Self.travel(h, "Sol", "P1.3", to: 3, 4))
        let credits = try await h.playerValue(alice, "P.credits")
        try await h.order(alice, "Sell", ["Ship": "P1.3"])
        try await h.tick()
        #expect(try await h.ships("Sol")["P1.3"]?.cargo == 0)
        #expect(try await h.playerValue(alice, "P.credits") == credits + 60)
    }

    @Test func aPlanetIsCapturedAfterThreeTicksThenYieldsIncomeAndBuildsShips() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        try await h.order(alice, "Move", ["Ship": "P1.1", "X": "2", "Y": "3"])
        #expect(try await Self.travel(h, "Sol", "P1.1", to: 2, 3))
        try await h.order(alice, "Capture", ["Ship": "P1.1", "X": "3", "Y": "3"])
        try await h.tick(2)
        #expect(try await h.sectorDigest("Sol").contains("planet:3,3:nil:\(alice.id):2"))
        try await h.tick()
        #expect(try await h.sectorDigest("Sol").contains("planet:3,3:\(alice.id):nil:0"))
        #expect(try await h.playerValue(alice, "P.planetCount") == 1)
        let credits = try await h.playerValue(alice, "P.credits")
        #expect(credits == 101)   // the capturing tick already paid income
        try await h.tick(2)
        #expect(try await h.playerValue(alice, "P.credits") == 103)
        try await h.order(alice, "Build", ["Sector": "Sol", "X": "3", "Y": "3"])
        #expect(try await h.playerValue(alice, "P.reserved") == 50)
        try await h.tick()
        #expect(try await h.ships("Sol")["P1.4"] == ShipState(no: 1, x: 3, y: 2, hull: 10, cargo: 0))
        #expect(try await h.playerValue(alice, "P.credits") == 104 - 50)
        #expect(try await h.playerValue(alice, "P.reserved") == 0)
        // The leaderboard (published by the world on a tick) counts the planet.
        try await h.tick(5)
        let boards = try h.emitted(h.world.worldID).compactMap { $0[tag: "leaderboard"] }
        let last = try JSONSerialization.jsonObject(with: Data(boards.last!.utf8)) as? [[String: Any]]
        let row = last?.first
        #expect(row?["address"] as? String == alice.address)
        #expect(row?["planets"] as? Int == 1)
        // Sectors report score changes every REPORT_EVERY (5) ticks: consistent, and recent.
        let score = row?["score"] as? Int ?? -1
        #expect(score == 100 * 1 + (row?["credits"] as? Int ?? 0) + (row?["ore"] as? Int ?? 0))
        let now = Int(try await h.lua(alice.id, "return PlayerSummary().score")) ?? 0
        #expect(score > now - 5 && score <= now)
    }

    @Test func anAttackTakesHullEachTickUntilTheShipIsDestroyed() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        _ = try await h.join("bob")
        let carol = try await h.join("carol")   // Sol again
        try await h.tick()
        #expect(try await h.ships("Sol")["P3.1"].map { [$0.x, $0.y] } == [2, 2])
        try await h.order(alice, "Attack", ["Ship": "P1.1", "Target-Ship": "P3.1"])
        try await h.tick()
        #expect(try await h.ships("Sol")["P3.1"]?.hull == 7)
        try await h.tick(3)
        #expect(try await h.ships("Sol")["P3.1"] == nil)
        #expect(try await h.ships("Sol").count == 5)
        #expect(try await h.lua(carol.id, "return tostring(P.ships['P3.1'])") == "nil")
        let updates = try h.clientMessages(carol.id, to: carol.address).filter { $0.message[tag: "Action"] == "Update" }
        let mine = updates.last?.message.json["mine"] as? [[String: Any]]
        #expect(mine?.contains { $0["type"] as? String == "destroyed" && $0["ship"] as? String == "P3.1" } == true)
        try await h.tick()
        #expect(try await h.sectorDigest("Sol").contains("P1.1:\(alice.id):1:2:1:10:0:-"))   // attack ended
    }

    @Test func sayReachesEveryPlayerInTheSectorAsChat() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        _ = try await h.join("bob")
        let carol = try await h.join("carol")
        try await h.tick()
        try await h.order(carol, "Say", data: "hello, Sol")
        try await h.tick()
        let chat = try h.clientMessages(alice.id, to: alice.address).filter { $0.message[tag: "Action"] == "Chat" }
        #expect(chat.map(\.message.data) == ["hello, Sol"])
        #expect(chat.first?.message[tag: "Speaker-Name"] == "carol")
    }

    @Test func stopCancelsAMove() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        try await h.order(alice, "Move", ["Ship": "P1.2", "X": "8", "Y": "0"])
        try await h.tick()
        try await h.order(alice, "Stop", ["Ship": "P1.2"])
        try await h.tick(2)
        #expect(try await h.ships("Sol")["P1.2"].map { [$0.x, $0.y] } == [3, 0])
    }
}
