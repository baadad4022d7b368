import Cluster
import Foundation
import LuaVM

/// Suites about many processes: fan-out to 1,000 of them, spawning, idle memory.
enum ScaleBench {
    static let broadcaster = """
        Handlers.add('Fan', 'Fan', function(msg)
          local targets = json.decode(msg.Data)
          for round = 1, tonumber(msg.Rounds) do
            for _, target in ipairs(targets) do Send({ Target = target, Action = 'Hit' }) end
          end
        end)
        """
    static let spawner = """
        Children = 0
        Handlers.add('Go', 'Go', function(msg)
          for i = 1, tonumber(msg.Count) do Spawn({ Data = 'child' }) end
        end)
        Handlers.add('Spawned', 'Spawned', function(msg) Children = Children + 1 end)
        """

    /// One process sending to 1,000 processes, durable beside ledger off.
    static func fanout(scale: Double) throws -> [BenchRow] {
        let rounds = max(1, Int(10 * scale))
        func run(durable: Bool) throws -> Double {
            try ClusterBench.blocking {
                try await ClusterBench.withNode(durable: durable) { node in
                    var targets: [String] = []
                    for _ in 0..<1_000 {
                        targets.append(try await node.spawn(module: ClusterBench.counter, owner: ClusterBench.owner).process)
                    }
                    let source = try await node.spawn(module: broadcaster, owner: ClusterBench.owner).process
                    let list = "[" + targets.map { "\"\($0)\"" }.joined(separator: ",") + "]"
                    let start = ContinuousClock.now
                    _ = try await node.push(to: source, from: ClusterBench.owner,
                                            tags: [Tag("Action", "Fan"), Tag("Rounds", String(rounds))], data: list)
                    try await node.waitUntilIdle()
                    let seconds = (ContinuousClock.now - start).seconds
                    guard try await node.inspect(targets[999], "return tostring(Hits)") == String(rounds) else {
                        throw RunnerError("fanout: a target missed messages")
                    }
                    return Double(rounds * 1_000) / seconds
                }
            }
        }
        return [BenchRow(suite: "fanout", figure: "1 → 1,000 processes, durable (msg/s)", value: try run(durable: true),
                         unit: "/s", baselineName: "ledger off", baseline: try run(durable: false))]
    }

    /// Processes spawned per second by a process (each spawn durable, its notice back to
    /// the parent), and resident memory per idle process beside a bare Lua state: awake
    /// (right after the spawns) and hibernating (once the node has put them to sleep).
    static func spawn(scale: Double) throws -> [BenchRow] {
        let count = max(100, Int(10_000 * scale))
        struct Measured { var rate: Double, cpu: Double, awake: Double, hibernating: Double }
        func run(durable: Bool) throws -> Measured {
            try ClusterBench.blocking {
                try await ClusterBench.withNode(durable: durable, configure: { $0.hibernateAfter = .seconds(2) }) { node in
                    let parent = try await node.spawn(module: spawner, owner: ClusterBench.owner).process
                    try await node.waitUntilIdle()
                    let before = residentBytes()
                    let cpuStart = CPUClock.process()
                    let start = ContinuousClock.now
                    var left = count
                    while left > 0 {
                        let chunk = min(left, 1_000)
                        _ = try await node.push(to: parent, from: ClusterBench.owner,
                                                tags: [Tag("Action", "Go"), Tag("Count", String(chunk))])
                        left -= chunk
                    }
                    try await node.waitUntilIdle()
                    let seconds = (ContinuousClock.now - start).seconds
                    let cpu = (CPUClock.process() - cpuStart) / Double(count) * 1e6
                    let awake = Double(residentBytes() - before) / Double(count)
                    var hibernating = 0.0
                    if durable {
                        // Every child idles; wait until the scans have put them all to sleep.
                        let deadline = ContinuousClock.now + .seconds(60)
                        while try await node.hibernatingCount() < count, ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(200))
                        }
                        guard try await node.hibernatingCount() >= count else { throw RunnerError("spawn: children stayed awake") }
                        _ = mallocTrim(0)  // what the heap gave back, not what malloc keeps cached
                        hibernating = Double(residentBytes() - before) / Double(count)
                    }
                    guard try await node.inspect(parent, "return tostring(Children)") == String(count) else {
                        throw RunnerError("spawn: not every child reported")
                    }
                    return Measured(rate: Double(count) / seconds, cpu: cpu, awake: awake, hibernating: hibernating)
                }
            }
        }
        let durable = try run(durable: true)
        let memory = try run(durable: false)
        let bare = try bareStateBytes(count: min(count, 2_000))
        let phases = try spawnPhases(count: 200, batches: 7)
        return [
            BenchRow(suite: "spawn", figure: "spawns/s, durable", value: durable.rate, unit: "/s",
                     baselineName: "ledger off", baseline: memory.rate),
            BenchRow(suite: "spawn", figure: "CPU µs per spawn (all threads), durable", value: durable.cpu, unit: "µs",
                     baselineName: "ledger off", baseline: memory.cpu),
            BenchRow(suite: "spawn", figure: "resident KB per idle process, awake", value: durable.awake / 1024,
                     unit: "KB", baselineName: "bare lua state + stdlib", baseline: bare / 1024),
            BenchRow(suite: "spawn", figure: "resident KB per process, hibernating", value: durable.hibernating / 1024,
                     unit: "KB", baselineName: "bare lua state + stdlib", baseline: bare / 1024),
            BenchRow(suite: "spawn", figure: "new process, CPU µs (best batch)", value: phases.create,
                     unit: "µs", baselineName: "bare lua state", baseline: phases.bare),
            BenchRow(suite: "spawn", figure: "its spawn message, CPU µs (best batch)", value: phases.boot,
                     unit: "µs", baselineName: "bare lua state", baseline: phases.bare),
        ]
    }

    /// Thread CPU time per child of the two halves of a spawn in the child, outside the
    /// node: making the process (a state with the prelude) and handling its spawn message
    /// (boot: the module's code). Best of `batches` batches of `count`, in µs.
    static func spawnPhases(count: Int, batches: Int) throws -> (create: Double, boot: Double, bare: Double) {
        let moduleID = Identifiers.module(source: spawner)
        var best = (create: Double.infinity, boot: Double.infinity, bare: Double.infinity)
        for batch in 0..<batches {
            var processes: [AOProcess] = []
            processes.reserveCapacity(count)
            var start = CPUClock.thread()
            for i in 0..<count {
                let id = Identifiers.derive("bench-spawn", String(batch), String(i))
                let identity = ProcessIdentity(id: id, owner: ClusterBench.owner, moduleID: moduleID,
                                               tags: [Tag("Type", "Process"), Tag("Module", moduleID)])
                processes.append(try AOProcess(identity: identity, moduleSource: spawner))
            }
            best.create = min(best.create, (CPUClock.thread() - start) / Double(count) * 1e6)
            start = CPUClock.thread()
            for process in processes {
                let id = process.identity.id
                let result = process.handle(Message(id: id, from: ClusterBench.owner, target: id,
                                                    tags: process.identity.tags, data: "child",
                                                    timestamp: 1_700_000_000_000, slot: 0))
                if let error = result.error { throw RunnerError("spawn phases: boot failed: \(error)") }
            }
            best.boot = min(best.boot, (CPUClock.thread() - start) / Double(count) * 1e6)
            processes.removeAll()
            start = CPUClock.thread()
            var states: [LuaState] = []
            for _ in 0..<count { states.append(try LuaState()) }
            best.bare = min(best.bare, (CPUClock.thread() - start) / Double(count) * 1e6)
        }
        return best
    }

    /// Resident bytes per fresh sandboxed Lua state (no prelude): the floor.
    static func bareStateBytes(count: Int) throws -> Double {
        let before = residentBytes()
        var states: [LuaState] = []
        states.reserveCapacity(count)
        for _ in 0..<count { states.append(try LuaState(limits: .init(memoryBytes: 0, instructionsPerCall: 0))) }
        let after = residentBytes()
        withExtendedLifetime(states) {}
        return Double(after - before) / Double(count)
    }

    /// Resident set size of this process (Linux /proc/self/statm).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// glibc's malloc_trim (not in Swift's Glibc module): returns freed heap pages.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
