import Foundation
import Testing
import Cluster
import Game

/// Every invalid order gets an `Order-Error` to its sender, in plain words, and
/// changes nothing: the player's and the sectors' states are the same afterwards.
@Suite(.serialized) struct InvalidOrderTests {
    struct Case: CustomStringConvertible {
        var action: String
        var tags: [String: String]
        var data = ""
        var error: String
        var description: String { "\(action) \(tags)" }
    }

    static let cases: [Case] = [
        Case(action: "Fly", tags: ["Ship": "P1.1"], error: "unknown action 'Fly'; orders are Move, Stop"),
        Case(action: "Move", tags: ["Ship": "P1.1", "X": "3.5", "Y": "1"], error: "X must be a whole number, got '3.5'"),
        Case(action: "Move", tags: ["Ship": "P1.1"], error: "Move needs Dir (N, E, S, W) or a target cell X and Y"),
        Case(action: "Move", tags: ["Ship": "P1.1", "X": "9", "Y": "1"], error: "cell 9,1 is '#': ships cannot enter it"),
        Case(action: "Move", tags: ["Ship": "P1.1", "X": "20", "Y": "1"], error: "cell 20,1 is outside sector Sol (0..15, 0..9)"),
        Case(action: "Move", tags: ["Ship": "P1.2", "Dir": "N"], error: "there is no sector beyond the N edge of Sol"),
        Case(action: "Move", tags: ["Ship": "P1.2", "Dir": "Up"], error: "Dir must be N, E, S or W, got 'Up'"),
        Case(action: "Move", tags: ["Ship": "P3.1", "Dir": "S"], error: "ship P3.1 is not yours"),
        Case(action: "Stop", tags: ["Ship": "P1.9"], error: "ship P1.9 is not yours"),
        Case(action: "Attack", tags: ["Ship": "P1.1", "Target-Ship": "P1.2"], error: "you cannot attack your own ship P1.2"),
        Case(action: "Attack", tags: ["Ship": "P1.1", "Target-Ship": "P2.1"], error: "ship P2.1 is not in sector Sol"),
        Case(action: "Attack", tags: ["Ship": "P1.1"], error: "missing tag Target-Ship"),
        Case(action: "Mine", tags: ["Ship": "P1.1"], error: "ship P1.1 is not on an ore field (cell 2,1 is '@')"),
        Case(action: "Capture", tags: ["Ship": "P1.1"], error: "ship P1.1 is not next to a planet"),
        Case(action: "Capture", tags: ["Ship": "P1.1", "X": "3"], error: "missing tag Y"),
        Case(action: "Capture", tags: ["Ship": "P1.1", "X": "3", "Y": "3"], error: "ship P1.1 at 2,1 is not next to the planet at 3,3"),
        Case(action: "Sell", tags: ["Ship": "P1.1"], error: "ship P1.1 has no ore to sell"),
        Case(action: "Build", tags: ["Sector": "Sol", "X": "3", "Y": "3"], error: "the planet at 3,3 is not yours"),
        Case(action: "Build", tags: ["Sector": "Sol", "X": "4", "Y": "4"], error: "there is no planet at 4,4 in sector Sol"),
        Case(action: "Build", tags: ["Sector": "Nowhere", "X": "1", "Y": "1"], error: "you know no sector named 'Nowhere'"),
        Case(action: "Say", tags: [:], data: String(repeating: "x", count: 201), error: "Say is limited to 200 bytes, got 201"),
        Case(action: "Say", tags: [:], error: "Say needs the text to say as Data"),
        Case(action: "Eval", tags: [:], data: "P.credits = 1e9", error: "Eval is not allowed in a player process"),
    ]

    @Test func everyInvalidOrderGetsAClearErrorAndChangesNothing() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        _ = try await h.join("bob")
        _ = try await h.join("carol")
        try await h.tick()
        for c in Self.cases {
            let before = [try await h.playerDigest(alice), try await h.sectorDigest("Sol"), try await h.sectorDigest("Deneb")]
            let slot = try h.head(alice.id)
            let receipt = try await h.order(alice, c.action, c.tags, data: c.data)
            #expect(receipt.result.error == nil, "\(c)")
            let errors = try h.clientMessages(alice.id, to: alice.address, after: slot).map(\.message)
            #expect(errors.count == 1, "\(c): \(errors.map { $0.tags })")
            #expect(errors.first?[tag: "Action"] == "Order-Error", "\(c)")
            #expect(errors.first?[tag: "Error"]?.hasPrefix(c.error) == true, "\(c): got \(errors.first?[tag: "Error"] ?? "nothing")")
            #expect(errors.first?[tag: "Order-Id"] == receipt.id, "\(c)")
            let after = [try await h.playerDigest(alice), try await h.sectorDigest("Sol"), try await h.sectorDigest("Deneb")]
            #expect(after == before, "\(c) changed the state")
        }
        #expect(try await h.playerValue(alice, "P.credits") == 100)
        #expect(try await h.playerValue(alice, "P.reserved") == 0)
    }

    @Test func anOrderFromAnotherKeyIsRefusedAndChangesNothing() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        try await h.tick()
        let mallory = GameHarness.address("mallory")
        let before = try await h.playerDigest(alice)
        let receipt = try await h.order(alice, "Move", ["Ship": "P1.2", "Dir": "E"], from: mallory)
        #expect(receipt.result.messages.map { $0.target } == [mallory])
        #expect(receipt.result.messages.first?[tag: "Error"] == "only the key of player alice can give it orders")
        let eval = try await h.order(alice, "Eval", [:], data: "P.credits = 1e9", from: mallory)
        #expect(eval.result.messages.first?[tag: "Action"] == "Order-Error")
        try await h.tick()
        #expect(try await h.ships("Sol")["P1.2"].map { [$0.x, $0.y] } == [2, 0])
        #expect(try await h.playerDigest(alice) == before)
    }
}
