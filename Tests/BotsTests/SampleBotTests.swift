import Bots
import Cluster
import Foundation
import Game
import Testing

/// The sample bots of GameLogic/bots play the tutorial map through the gateway, as
/// `starlane bot` does, and each reaches its goal.
@Suite(.serialized) struct SampleBotTests {
    @Test func theMinerEarnsCreditsBySellingOre() async throws {
        let h = try await BotHarness()
        let miner = try await h.bot(BotHarness.sample("miner.lua"), name: "miner")
        let player = try #require(miner.progress.player)
        var credits = 100
        var mined = 0
        for _ in 0..<60 where credits <= 100 {
            try await h.tick()
            credits = try await h.playerValue(player, "P.credits")
            mined = max(mined, try await h.playerValue(player, "PlayerSummary().ore"))
        }
        #expect(mined > 0, "the miner never mined; log:\n\(h.lines.text)")
        #expect(credits > 100, "the miner never sold ore; log:\n\(h.lines.text)")
        #expect(miner.progress.stopped == nil)
        print("miner: \(credits) credits after \(h.ticks) ticks, \(miner.progress.ordersSent) orders")
    }

    @Test func theRaiderDestroysAShipOfAPassiveTarget() async throws {
        let h = try await BotHarness()
        // Player 1 (Sol): the raider; 2 goes to Deneb; 3, the passive target, to Sol.
        let raider = try await h.bot(BotHarness.sample("raider.lua"), name: "raider")
        _ = try await h.world.join(address: Identifiers.derive("test", "filler"), name: "filler")
        let target = try await h.world.join(address: Identifiers.derive("test", "target"), name: "target")
        try await h.node.waitUntilIdle()
        var ships = 3
        for _ in 0..<40 where ships == 3 {
            try await h.tick()
            ships = try await h.playerValue(target, "PlayerSummary().ships")
        }
        #expect(ships < 3, "the raider destroyed nothing; log:\n\(h.lines.text)")
        #expect(raider.progress.ordersSent > 0)
        print("raider: target has \(ships) ships after \(h.ticks) ticks")
    }

    @Test func theExplorerVisitsEverySector() async throws {
        let h = try await BotHarness()
        let explorer = try await h.bot(BotHarness.sample("explorer.lua"), name: "explorer")
        let player = try #require(explorer.progress.player)
        // The player process keeps the grid of every sector one of its ships arrived in.
        let count = "(function() local n = 0 for _ in pairs(P.grids) do n = n + 1 end return n end)()"
        var visited = 0
        for _ in 0..<90 where visited < 4 {
            try await h.tick()
            visited = try await h.playerValue(player, count)
        }
        #expect(visited == 4, "the explorer saw \(visited) of 4 sectors; log:\n\(h.lines.text)")
        print("explorer: \(visited) sectors after \(h.ticks) ticks")
    }
}
