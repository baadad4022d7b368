import Cluster
import Foundation
import Game

/// The game's commonest message, a sector's `Sector-Update`, through real player
/// processes on this thread (no node, no ledger): one player process fed in a loop,
/// beside the same messages spread round-robin over many player processes. The
/// ratio is what a cold process costs, as in a tick, where every process gets one
/// message and its heap has left the caches since the last tick.
enum GameDispatchBench {
    static func rows(scale: Double) throws -> [BenchRow] {
        let bundle = try GameBundle(directory: URL(fileURLWithPath: try ServeCommand.locate("GameLogic")))
        let many = max(10, Int(300 * min(1, scale * 2)))
        let messages = max(many * 4, Int(20_000 * scale))
        let players = try (0..<many).map { try player(bundle, number: $0 + 1) }
        let warm = try seconds(players: [players[0]], messages: messages / 4)
        let cold = try seconds(players: players, messages: messages)
        let warmMicros = warm / Double(messages / 4) * 1e6
        let coldMicros = cold / Double(messages) * 1e6
        return [
            BenchRow(suite: "dispatch", figure: "Sector-Update CPU, \(many) players", value: coldMicros, unit: "µs",
                     baselineName: "one player", baseline: warmMicros),
        ]
    }

    struct Player {
        let process: AOProcess
        let home: String
        let ship: String
    }

    /// A player process booted as the world spawns one, at home in a made-up sector.
    static func player(_ bundle: GameBundle, number: Int) throws -> Player {
        let world = Identifiers.derive("bench-world", "world")
        let home = Identifiers.derive("bench-sector", String(number % 20))
        let ship = "P\(number).1"
        let moduleID = Identifiers.module(source: bundle.player)
        let identity = ProcessIdentity(
            id: Identifiers.derive("bench-player", String(number)), owner: world, moduleID: moduleID,
            tags: [Tag("Type", "Process"), Tag("Module", moduleID), Tag("Name", "player b\(number)"),
                   Tag("Player", Identifiers.derive("bench-key", String(number))), Tag("World", world),
                   Tag("Number", String(number)), Tag("Player-Name", "b\(number)"), Tag("Home-Sector", "A1"),
                   Tag("Home-Process", home), Tag("Ships", ship)])
        let process = try AOProcess(identity: identity, moduleSource: bundle.player,
                                    limits: .init(memoryBytes: 0, instructionsPerCall: 0))
        let boot = process.handle(Message(id: identity.id, from: world, target: identity.id, tags: identity.tags,
                                          timestamp: 1_700_000_000_000, slot: 0))
        if let error = boot.error { throw RunnerError("player boot failed: \(error)") }
        return Player(process: process, home: home, ship: ship)
    }

    /// CPU seconds for `messages` Sector-Updates, one player after another.
    static func seconds(players: [Player], messages: Int) throws -> Double {
        let start = CPUClock.thread()
        for i in 0..<messages {
            let p = players[i % players.count]
            let slot = p.process.nextSlot
            let tick = Int(slot)
            let privatePart = #"{"credits":3,"events":[],"ships":[["\#(p.ship)",1,\#(tick % 7),4,3,\#(tick % 5)]],"tick":\#(tick)}"#
            let view = #"{"events":[],"planets":[[3,4,0,0]],"players":{"1":"b1"},"sector":"A1","ships":[["\#(p.ship)",1,\#(tick % 7),4,3,0]],"tick":\#(tick)}"#
            let result = p.process.handle(Message(
                id: "bench-\(i)", from: p.home, target: p.process.identity.id,
                tags: [Tag("Action", "Sector-Update"), Tag("Private", privatePart)], data: view,
                timestamp: 1_700_000_000_000 + slot, slot: slot))
            if let error = result.error { throw RunnerError("Sector-Update failed: \(error)") }
            guard result.messages.count == 1 else { throw RunnerError("Sector-Update sent \(result.messages.count) messages, not 1") }
        }
        return CPUClock.thread() - start
    }
}
