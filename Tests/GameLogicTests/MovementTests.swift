import Foundation
import Testing
import Cluster
import Game

/// Moves resolved at ticks, and ships handed between sectors.
@Suite(.serialized) struct MovementTests {
    @Test func aMoveToACellFollowsTheShortestPathOneStepPerTick() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        try await h.order(alice, "Move", ["Ship": "P1.2", "X": "6", "Y": "0"])
        #expect(try await h.ships("Sol")["P1.2"]?.x == 2)   // nothing moves before the tick
        try await h.tick()
        #expect(try await h.ships("Sol")["P1.2"].map { [$0.x, $0.y] } == [3, 0])
        try await h.tick(5)
        #expect(try await h.ships("Sol")["P1.2"].map { [$0.x, $0.y] } == [6, 0])
        #expect(try await h.sectorDigest("Sol").contains("P1.2:\(alice.id):1:6:0:10:0:-:-"))   // order done
    }

    @Test func aShipRoutesAroundItsOwnParkedFleet() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        // P1.1 at 2,1 is boxed in by P1.2 (2,0) and P1.3 (3,1), which stay put; its
        // shortest path to the ore at 12,2 starts through 3,1. It must detour, not wait.
        try await h.order(alice, "Move", ["Ship": "P1.1", "X": "12", "Y": "2"])
        try await h.tick(16)
        let ships = try await h.ships("Sol")
        #expect(ships["P1.1"].map { [$0.x, $0.y] } == [12, 2])
        #expect(ships["P1.2"].map { [$0.x, $0.y] } == [2, 0])
        #expect(ships["P1.3"].map { [$0.x, $0.y] } == [3, 1])
    }

    @Test func twoShipsWantingOneCellNeitherMoves() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        // P1.2 at 2,0 and P1.3 at 3,1 both want 3,0.
        try await h.order(alice, "Move", ["Ship": "P1.2", "Dir": "E"])
        try await h.order(alice, "Move", ["Ship": "P1.3", "Dir": "N"])
        try await h.tick()
        let ships = try await h.ships("Sol")
        #expect(ships["P1.2"].map { [$0.x, $0.y] } == [2, 0])
        #expect(ships["P1.3"].map { [$0.x, $0.y] } == [3, 1])
    }

    @Test func aShipMayFollowAnotherIntoTheCellItLeaves() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        // P1.3 (3,1) moves east; P1.1 (2,1) follows into 3,1 in the same tick.
        try await h.order(alice, "Move", ["Ship": "P1.1", "Dir": "E"])
        try await h.order(alice, "Move", ["Ship": "P1.3", "Dir": "E"])
        try await h.tick()
        let ships = try await h.ships("Sol")
        #expect(ships["P1.1"].map { [$0.x, $0.y] } == [3, 1])
        #expect(ships["P1.3"].map { [$0.x, $0.y] } == [4, 1])
    }

    @Test func aShipCrossingTheEastEdgeIsHandedToTheNeighbourAndNeverInTwoSectors() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        try await h.order(alice, "Move", ["Ship": "P1.2", "X": "15", "Y": "0"])
        try await h.tick(13)
        #expect(try await h.ships("Sol")["P1.2"].map { [$0.x, $0.y] } == [15, 0])
        try await h.order(alice, "Move", ["Ship": "P1.2", "Dir": "E"])
        try await h.tick()
        // Left Sol in this tick; Vega holds it (arriving) until its next tick.
        #expect(try await h.ships("Sol")["P1.2"] == nil)
        #expect(try await h.arriving("Vega") == ["P1.2"])
        #expect(try await h.ships("Vega")["P1.2"] == nil)
        let left = try h.clientMessages(alice.id, to: alice.address).last { $0.message[tag: "Action"] == "Update" }
        let mine = left?.message.json["mine"] as? [[String: Any]]
        #expect(mine?.contains { $0["type"] as? String == "left" && $0["to"] as? String == "Vega" } == true)
        try await h.tick()
        #expect(try await h.arriving("Vega").isEmpty)
        #expect(try await h.ships("Vega")["P1.2"] == ShipState(no: 1, x: 0, y: 0, hull: 10, cargo: 0))
        #expect(try await h.playerDigest(alice).contains("P1.2@Vega:0:0"))
        // The player now orders it through Vega.
        try await h.order(alice, "Move", ["Ship": "P1.2", "Dir": "S"])
        try await h.tick()
        #expect(try await h.ships("Vega")["P1.2"].map { [$0.x, $0.y] } == [0, 1])
        #expect(try await h.world.summary().active == ["Sol", "Vega"])
    }

    @Test func shipsCrossingOneEdgeInOneTickTravelInOneHandOff() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        // One after the other: both shortest paths start through 3,0.
        try await h.order(alice, "Move", ["Ship": "P1.2", "X": "15", "Y": "0"])
        #expect(try await OrdersTests.travel(h, "Sol", "P1.2", to: 15, 0))
        try await h.order(alice, "Move", ["Ship": "P1.3", "X": "15", "Y": "1"])
        #expect(try await OrdersTests.travel(h, "Sol", "P1.3", to: 15, 1))
        try await h.order(alice, "Move", ["Ship": "P1.2", "Dir": "E"])
        try await h.order(alice, "Move", ["Ship": "P1.3", "Dir": "E"])
        let sol = try await h.sectorID("Sol")
        let before = try h.head(sol)
        try await h.tick()
        let handOffs = try h.emitted(sol, after: before).filter { $0[tag: "Action"] == "Hand-Off" }
        #expect(handOffs.count == 1)
        #expect(handOffs.first?.target == (try await h.sectorID("Vega")))
        let ships = (handOffs.first?.json["ships"] as? [[String: Any]])?.compactMap { ($0["ship"] as? [String: Any])?["id"] as? String }
        #expect(ships == ["P1.2", "P1.3"])
        #expect(try await h.arriving("Vega").sorted() == ["P1.2", "P1.3"])
        try await h.tick()
        let vega = try await h.ships("Vega")
        #expect(vega["P1.2"] == ShipState(no: 1, x: 0, y: 0, hull: 10, cargo: 0))
        #expect(vega["P1.3"] == ShipState(no: 1, x: 0, y: 1, hull: 10, cargo: 0))
        #expect(try await h.ships("Sol").count == 1)
    }

    @Test func aShipEnteringAWormholeComesOutInTheTargetSector() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        try await h.order(alice, "Move", ["Ship": "P1.2", "X": "14", "Y": "9"])
        var ticks = 0
        while try await h.ships("Sol")["P1.2"] != nil && ticks < 40 {
            try await h.tick()
            ticks += 1
        }
        #expect(try await h.ships("Sol")["P1.2"] == nil)
        #expect(try await h.arriving("Deneb") == ["P1.2"])
        try await h.tick()
        #expect(try await h.ships("Deneb")["P1.2"] == ShipState(no: 1, x: 1, y: 2, hull: 10, cargo: 0))
    }

    @Test func aSectorSleepsWhenItsLastShipLeavesAndGetsNoMoreTicks() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        try await h.order(alice, "Move", ["Ship": "P1.2", "X": "15", "Y": "0"])
        try await h.tick(13)
        try await h.order(alice, "Move", ["Ship": "P1.2", "Dir": "E"])
        try await h.tick(2)
        #expect(try await h.world.summary().active == ["Sol", "Vega"])
        try await h.order(alice, "Move", ["Ship": "P1.2", "Dir": "W"])
        try await h.tick()   // Vega hands it back and, empty, goes to sleep
        #expect(try await h.world.summary().active == ["Sol"])
        let vega = try await h.sectorID("Vega")
        let slot = try h.head(vega)
        try await h.tick(3)
        #expect(try h.head(vega) == slot)
        #expect(try await h.ships("Sol")["P1.2"].map { [$0.x, $0.y] } == [15, 0])
    }
}
