import Bots
import Client
import Cluster
import Foundation
import Game
import Testing

private typealias Tag = Cluster.Tag

/// The same script hosted in the cluster as an agent process.
@Suite(.serialized) struct HostedBotTests {
    /// Tags a client sets; AO's envelope tags are left out of the comparison.
    static func orderTags(_ tags: [(String, String)]) -> [String: String] {
        let envelope: Set = ["Data-Protocol", "Variant", "Type", "Reference", "Content-Type"]
        var out: [String: String] = [:]
        for (name, value) in tags where !envelope.contains(name) { out[name] = value }
        return out
    }

    @Test func theSameScriptGivesTheSameOrdersHostedAndOutside() async throws {
        let h = try await BotHarness()
        let script = BotHarness.sample("miner.lua")
        let miner = try await h.bot(script, name: "miner", scriptName: "miner.lua", record: true)
        try await h.tick(14)
        let recording = miner.recording
        #expect(recording.count >= 10)
        #expect(recording.reduce(0) { $0 + $1.orders.count } >= 3, "the miner gave no orders to compare")

        // The agent believes `world` is its world and `player` its player process: the
        // test, as the node's host, delivers the recorded feed from them.
        let world = Identifiers.derive("test", "fake-world")
        let player = Identifiers.derive("test", "fake-player")
        let spawn = try await h.node.spawn(module: BotAgent.module(script: script, scriptName: "miner.lua"),
                                           owner: Identifiers.derive("test", "agent-owner"),
                                           tags: BotAgent.spawnTags(world: world, playerName: "miner").map { Tag($0.0, $0.1) },
                                           nonce: "equivalence")
        #expect(spawn.result.error == nil)
        let agent = spawn.process
        let joined = try await h.node.push(to: agent, from: world, tags: [Tag("Action", "Joined"), Tag("Process", player)])
        #expect(joined.result.messages.contains { $0.target == player && $0.tags[tag: "Action"] == "View" })
        for (index, entry) in recording.enumerated() {
            var tags: [Tag]
            var data = ""
            switch entry.event.kind {
            case "update", "view":
                tags = [Tag("Action", entry.event.kind == "view" ? "View" : "Update"), Tag("Content-Type", "application/json")]
                data = entry.event.payload
            case "order-error":
                let e = try JSONSerialization.jsonObject(with: Data(entry.event.payload.utf8)) as? [String: String] ?? [:]
                tags = [Tag("Action", "Order-Error")] + ["Error": "error", "Order": "order", "Ship": "ship", "Sector": "sector"]
                    .sorted { $0.key < $1.key }.compactMap { tag, key in e[key].map { Tag(tag, $0) } }
            default:
                continue
            }
            let receipt = try await h.node.push(to: agent, from: player, tags: tags, data: data)
            #expect(receipt.result.error == nil)
            let hosted = receipt.result.messages.filter { $0.target == player }.map {
                Self.orderTags($0.tags.map { ($0.name, $0.value) }).merging($0.data.isEmpty ? [:] : ["Data": $0.data]) { a, _ in a }
            }
            let outside = entry.orders.map {
                Self.orderTags($0.tags.map { ($0.name, $0.value) }).merging($0.data.isEmpty ? [:] : ["Data": $0.data]) { a, _ in a }
            }
            #expect(hosted == outside, "event \(index) (\(entry.event.kind)): hosted \(hosted) vs outside \(outside)")
        }
    }

    @Test func aHostedMinerOwnsItsPlayerAndEarnsCredits() async throws {
        let h = try await BotHarness()
        let spawn = try await h.node.spawn(module: BotAgent.module(script: BotHarness.sample("miner.lua"), scriptName: "miner.lua"),
                                           owner: Identifiers.derive("test", "hosted-owner"),
                                           tags: BotAgent.spawnTags(world: h.world.worldID, playerName: "hosted").map { Tag($0.0, $0.1) },
                                           nonce: "hosted-miner")
        #expect(spawn.result.error == nil)
        try await h.node.waitUntilIdle()
        // The player's key address is the agent's process id.
        let player = try #require(try await h.world.playerID(for: spawn.process))
        var credits = 100
        for _ in 0..<60 where credits <= 100 {
            try await h.tick()
            credits = try await h.playerValue(player, "P.credits")
        }
        let errors = try await h.lua(spawn.process, "return json.encode(AGENT.errors)")
        #expect(credits > 100, "the hosted miner never sold ore: \(errors)")
    }

    @Test func aHostedBotThatDoesNotLoadFailsItsBootWithLuasMessage() async throws {
        let h = try await BotHarness()
        let spawn = try await h.node.spawn(module: BotAgent.module(script: "function on_update(view)\n  return {\nend", scriptName: "broken.lua"),
                                           owner: Identifiers.derive("test", "broken-owner"),
                                           tags: BotAgent.spawnTags(world: h.world.worldID, playerName: "broken").map { Tag($0.0, $0.1) },
                                           nonce: "broken")
        let error = try #require(spawn.result.error)
        #expect(error.contains("broken.lua:3:"), "\(error)")
        // It never joined.
        try await h.node.waitUntilIdle()
        let joined = try await h.world.playerID(for: spawn.process)
        #expect(joined == nil)
    }

    @Test func aHostedBotsRuntimeErrorsArePublishedAndItKeepsItsView() async throws {
        let h = try await BotHarness()
        let script = "calls = 0\nfunction on_update(view)\n  calls = calls + 1\n  error('boom at ' .. view.tick)\nend\n"
        let spawn = try await h.node.spawn(module: BotAgent.module(script: script, scriptName: "boom.lua"),
                                           owner: Identifiers.derive("test", "boom-owner"),
                                           tags: BotAgent.spawnTags(world: h.world.worldID, playerName: "boom").map { Tag($0.0, $0.1) },
                                           nonce: "boom")
        #expect(spawn.result.error == nil)
        try await h.node.waitUntilIdle()
        try await h.tick(3)
        let errors = try await h.lua(spawn.process, "return json.encode(AGENT.errors)")
        #expect(errors.contains("on_update failed: boom.lua:4: boom at"), "\(errors)")
        let calls = try await h.lua(spawn.process, "return tostring(calls)")
        #expect(calls == "3")
        // Not rolled back: the grids of the first update are still known.
        let grid = try await h.lua(spawn.process, "return tostring(bot.view.sectors.Sol.grid ~= nil)")
        #expect(grid == "true")
    }
}
