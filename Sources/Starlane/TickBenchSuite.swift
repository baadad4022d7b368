import Cluster
import Foundation
import Game

/// `starlane bench tick`: the large map with N players (1,000 at scale 1) each giving one
/// order per tick. A tick is timed from the world's `Tick` until the node is idle again
/// (every sector resolved, every update delivered, all of it durable). The baseline is
/// the same game with the ledger off, in the same run. The CPU the whole program used
/// during the ticks tells a tick bound by the cores (CPU near 2 × wall on two cores)
/// from one bound by its chain of hops.
enum TickBench {
    struct Run {
        var ticks: [Double]
        /// CPU seconds of the whole program (every thread) during each tick.
        var cpu: [Double]
        /// Players joined per second (one join at a time, each awaited: a spawn of a
        /// player process with the game's module, and the world's bookkeeping).
        var joinsPerSecond: Double
        /// CPU seconds of the whole program per join.
        var cpuPerJoin: Double
        var messages: Int
        var seconds: Double
        func percentile(_ p: Double) -> Double {
            let sorted = ticks.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
        }
        var meanCPU: Double { cpu.reduce(0, +) / Double(max(1, cpu.count)) * 1000 }
    }

    static func tick(scale: Double) throws -> [BenchRow] {
        let players = max(10, Int(1_000 * scale))
        let ticks = max(5, Int(20 * scale.squareRoot()))
        let durable = try run(players: players, ticks: ticks, durable: true)
        let memory = try run(players: players, ticks: ticks, durable: false)
        func row(_ figure: String, _ value: Double, _ unit: String, _ base: Double) -> BenchRow {
            BenchRow(suite: "tick", figure: figure, value: value, unit: unit, baselineName: "ledger off", baseline: base)
        }
        return [
            row("tick p50, \(players) players (ms)", durable.percentile(0.5), "ms", memory.percentile(0.5)),
            row("tick p99, \(players) players (ms)", durable.percentile(0.99), "ms", memory.percentile(0.99)),
            row("CPU per tick, all threads (ms)", durable.meanCPU, "ms", memory.meanCPU),
            row("players joined/s, one at a time", durable.joinsPerSecond, "/s", memory.joinsPerSecond),
            row("CPU per join, all threads (µs)", durable.cpuPerJoin * 1e6, "µs", memory.cpuPerJoin * 1e6),
            row("messages/s during ticks", Double(durable.messages) / durable.seconds, "/s",
                Double(memory.messages) / memory.seconds),
        ]
    }

    static func run(players: Int, ticks: Int, durable: Bool) throws -> Run {
        let map = try GameMap.load(path: try ServeCommand.locate("Maps/large.json"))
        let bundle = try GameBundle(directory: URL(fileURLWithPath: try ServeCommand.locate("GameLogic")))
        let evaluated = EvaluatedCount()
        return try ClusterBench.blocking {
            try await ClusterBench.withNode(durable: durable, configure: { $0.onCommit = evaluated.add }) { node in
                let world = try await GameHost.start(node: node, bundle: bundle, map: map, cron: false)
                var joined: [(address: String, player: String, ship: String)] = []
                let joining = ContinuousClock.now
                let joiningCPU = CPUClock.process()
                for i in 0..<players {
                    let address = Identifiers.derive("bench-player", String(i))
                    let player = try await world.join(address: address, name: "b\(i)")
                    joined.append((address, player, "P\(i + 1).1"))
                }
                let joinsPerSecond = Double(players) / (ContinuousClock.now - joining).seconds
                let cpuPerJoin = (CPUClock.process() - joiningCPU) / Double(players)
                try await world.tick()   // places every fleet
                try await node.waitUntilIdle()
                var generator = SystemRandomNumberGenerator()
                var durations: [Double] = []
                var cpu: [Double] = []
                let before = evaluated.value
                let start = ContinuousClock.now
                for _ in 0..<ticks {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for p in joined {
                            let direction = ["N", "E", "S", "W"].randomElement(using: &generator)!
                            group.addTask {
                                _ = try await world.order(from: p.address, player: p.player, action: "Move",
                                                          tags: [Tag("Ship", p.ship), Tag("Dir", direction)])
                            }
                        }
                        try await group.waitForAll()
                    }
                    try await node.waitUntilIdle()
                    PerfControl.enable()
                    let began = ContinuousClock.now
                    let cpuBefore = CPUClock.process()
                    try await world.tick()
                    try await node.waitUntilIdle()
                    PerfControl.disable()
                    durations.append((ContinuousClock.now - began).seconds)
                    cpu.append(CPUClock.process() - cpuBefore)
                }
                let seconds = (ContinuousClock.now - start).seconds
                let messages = evaluated.value - before
                return Run(ticks: durations, cpu: cpu, joinsPerSecond: joinsPerSecond, cpuPerJoin: cpuPerJoin, messages: messages, seconds: seconds)
            }
        }
    }
}

/// Messages evaluated (made durable, or just run with the ledger off), counted by the
/// node's commit observer from the shard threads.
final class EvaluatedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    var add: @Sendable ([CommittedSlot]) -> Void { { [self] slots in lock.withLock { count += slots.count } } }
}
