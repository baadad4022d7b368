import Cluster
import Foundation
import LuaVM

/// The suites `starlane bench` knows, by name.
enum BenchSuites {
    static let all: [String: @Sendable (Double) throws -> [BenchRow]] = [
        "dispatch": dispatch,
        "send": ClusterBench.send,
        "pingpong": ClusterBench.pingpong,
        "replay": ClusterBench.replay,
        "http": GatewayBenchSuite.http,
        "fanout": ScaleBench.fanout,
        "spawn": ScaleBench.spawn,
        "tick": TickBench.tick,
        "pcall": PcallBench.pcall,
        "bank": BankBench.bank,
        "ledger": LedgerBench.ledger,
    ]

    /// Seconds for `count` messages through `process.handle` (the host path).
    static func hostSeconds(_ process: AOProcess, count: Int) throws -> Double {
        let identity = process.identity
        let start = ContinuousClock.now
        for i in 0..<count {
            let slot = process.nextSlot
            let result = process.handle(Message(
                id: "bench-\(slot)", from: identity.owner, target: identity.id,
                tags: [Tag("Action", "Ping")], data: String(i), timestamp: 1_700_000_000_000 + slot, slot: slot))
            if let error = result.error { throw RunnerError("host dispatch failed: \(error)") }
        }
        return (ContinuousClock.now - start).seconds
    }

    /// Messages through one process's Handlers, beside a bare lua_pcall loop that
    /// builds a 5-field message table (the raw limit of one call on this machine).
    static func dispatch(scale: Double) throws -> [BenchRow] {
        let calls = Int64(2_000_000 * scale)
        let messages = Int(200_000 * scale)

        let bare = try LuaState(limits: .init(memoryBytes: 0, instructionsPerCall: 0))
        guard let bareSeconds = bare.benchmarkBarePcall(iterations: calls) else {
            throw RunnerError("the bare pcall baseline failed")
        }
        let pcallRate = Double(calls) / bareSeconds

        var runner = try ProcessRunner(
            moduleSource: "Count = 0\nHandlers.add('Ping', 'Ping', function(msg) Count = Count + 1 end)",
            limits: .init(memoryBytes: 0, instructionsPerCall: 0))
        if let error = runner.boot().error { throw RunnerError("bench module failed: \(error)") }

        // Inside Lua: the prelude's handle() on a prepared message, no host work.
        let loop = """
            local handle, n = _STARLANE.handle, \(messages)
            local env = { Process = { Id = ao.id, Owner = Owner, Tags = {} }, Module = { Id = 'bench' } }
            for i = 1, n do
              handle({ Id = 'm' .. i, From = Owner, Owner = Owner, Target = ao.id, Slot = i,
                       Timestamp = i, Data = '', Tags = { { name = 'Action', value = 'Ping' } } }, env)
            end
            return Count
            """
        let start = ContinuousClock.now
        let counted = try runner.process.inspectUnbudgeted(loop)
        let luaSeconds = (ContinuousClock.now - start).seconds
        guard counted == String(messages) else { throw RunnerError("dispatch loop counted \(counted ?? "nil")") }

        // Through the host: Swift Message -> JSON -> Lua -> result JSON -> MessageResult.
        let hostMessages = messages / 4
        let hostRate = Double(hostMessages) / (try hostSeconds(runner.process, count: hostMessages))
        // The same without rollback snapshots (a failing message could not be undone):
        // what the periodic persist of the heap costs per message.
        let moduleSource = runner.process.moduleSource
        let unsafe = try AOProcess(identity: runner.process.identity, moduleSource: moduleSource,
                                   limits: .init(memoryBytes: 0, instructionsPerCall: 0), snapshotInterval: Int.max / 2)
        let identity = unsafe.identity
        if let error = unsafe.handle(Message(id: identity.id, from: identity.owner, target: identity.id,
                                             tags: identity.tags, timestamp: 1_700_000_000_000, slot: 0)).error {
            throw RunnerError("bench module failed: \(error)")
        }
        let noSnapshotRate = Double(hostMessages) / (try hostSeconds(unsafe, count: hostMessages))

        let luaRate = Double(messages) / luaSeconds
        return [
            BenchRow(suite: "dispatch", figure: "Handlers dispatch in Lua (msg/s)", value: luaRate, unit: "/s",
                     baselineName: "bare pcall", baseline: pcallRate),
            BenchRow(suite: "dispatch", figure: "host handle() round trip (msg/s)", value: hostRate, unit: "/s",
                     baselineName: "bare pcall", baseline: pcallRate),
            BenchRow(suite: "dispatch", figure: "host round trip (msg/s)", value: hostRate, unit: "/s",
                     baselineName: "no rollback snapshots", baseline: noSnapshotRate),
        ] + (try GameDispatchBench.rows(scale: scale)) + (try ColdDispatchBench.rows(scale: scale))
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }

}
