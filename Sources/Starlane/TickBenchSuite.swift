import Cluster
import Foundation
import Game

/// `starlane bench tick`: the large map with N players (1,000 at scale 1) each giving one
/// order per tick. A tick is timed from the world's `Tick` until the node is idle again
/// (every sector resolved, every update delivered, all of it durable). The baseline is
/// the same game with the ledger off, in the same run. The CPU the whole program used
/// during the ticks tells a tick bound by the cores (CPU near 2 × wall on two cores)
/// from one bound by its chain of hops. The CPU of the handlers themselves, by kind of
/// message, tells what a tick is made of.
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
        /// During the ticks: CPU seconds and counts of evaluations, by "kind Action".
        var evaluations: [String: (count: Int, seconds: Double)]
        func microsEach(_ kind: String) -> Double {
            guard let e = evaluations[kind], e.count > 0 else { return 0 }
            return e.seconds / Double(e.count) * 1e6
        }
        /// The share of the ticks' CPU (all threads) spent evaluating messages.
        var handlerShare: Double {
            let total = cpu.reduce(0, +)
            return total > 0 ? evaluations.values.reduce(0) { $0 + $1.seconds } / total * 100 : 0
        }
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
            row("handlers' share of tick CPU (%)", durable.handlerShare, "%", memory.handlerShare),
            row("a player's Sector-Update, CPU (µs)", durable.microsEach("player Sector-Update"), "µs",
                memory.microsEach("player Sector-Update")),
            row("a sector's Tick, CPU (µs)", durable.microsEach("sector Tick"), "µs", memory.microsEach("sector Tick")),
        ]
    }

    static func run(players: Int, ticks: Int, durable: Bool) throws -> Run {
        let map = try GameMap.load(path: try ServeCommand.locate("Maps/large.json"))
        let bundle = try GameBundle(directory: URL(fileURLWithPath: try ServeCommand.locate("GameLogic")))
        let evaluated = EvaluatedCount()
        let costs = EvaluationCosts()
        return try ClusterBench.blocking {
            try await ClusterBench.withNode(durable: durable, configure: {
                $0.onCommit = evaluated.add
                $0.onEvaluationCPU = costs.add
            }) { node in
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
                costs.name(world.worldID, "world")
                for p in joined { costs.name(p.player, "player") }
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
                    costs.counting = true
                    let began = ContinuousClock.now
                    let cpuBefore = CPUClock.process()
                    try await world.tick()
                    try await node.waitUntilIdle()
                    costs.counting = false
                    PerfControl.disable()
                    durations.append((ContinuousClock.now - began).seconds)
                    cpu.append(CPUClock.process() - cpuBefore)
                }
                let seconds = (ContinuousClock.now - start).seconds
                let messages = evaluated.value - before
                return Run(ticks: durations, cpu: cpu, joinsPerSecond: joinsPerSecond, cpuPerJoin: cpuPerJoin,
                           messages: messages, seconds: seconds, evaluations: costs.totals)
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

/// CPU of evaluations while `counting`, by "kind Action", where a process's kind is
/// the name given to it (`name`), else "sector". Fed from the shard threads.
final class EvaluationCosts: @unchecked Sendable {
    private let lock = NSLock()
    private var kinds: [String: String] = [:]
    private var sums: [String: (count: Int, seconds: Double)] = [:]
    private var on = false

    var counting: Bool {
        get { lock.withLock { on } }
        set { lock.withLock { on = newValue } }
    }

    var totals: [String: (count: Int, seconds: Double)] { lock.withLock { sums } }

    func name(_ process: String, _ kind: String) { lock.withLock { kinds[process] = kind } }

    var add: @Sendable (String, String?, Double) -> Void {
        { [self] process, action, seconds in
            lock.withLock {
                guard on else { return }
                let key = (kinds[process] ?? "sector") + " " + (action ?? "-")
                let sum = sums[key] ?? (0, 0)
                sums[key] = (sum.count + 1, sum.seconds + seconds)
            }
        }
    }
}
