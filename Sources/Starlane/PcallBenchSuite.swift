import Cluster
import Foundation
import LuaVM

/// `starlane bench pcall`: the raw limit of one call into Lua on this machine. A bare
/// `lua_pcall` loop in C calling a function that builds a 5-field message table
/// (`LuaState.benchmarkBarePcall`), beside loops in Lua on the same state, same run:
/// the sandbox's `pcall` of an empty function (the protected call without the table),
/// and a plain call of the same table builder (the table without the protection).
enum PcallBench {
    /// The body of the C loop's function (CLuaNatives/bench.c), for the Lua loops.
    static let messageTable = "{ From = 'sender', Target = 'process', Action = 'Ping', Slot = i, Data = 'hello' }"

    static func pcall(scale: Double) throws -> [BenchRow] {
        let calls = max(100_000, Int(5_000_000 * scale))
        let state = try LuaState(limits: .init(memoryBytes: 0, instructionsPerCall: 0))
        guard let cSeconds = state.benchmarkBarePcall(iterations: Int64(calls)) else {
            throw RunnerError("the bare pcall loop failed")
        }
        let emptyPcall = try luaLoopSeconds(state, calls: calls,
                                            function: "function(i) end", call: "pcall(f, i)")
        let plainCall = try luaLoopSeconds(state, calls: calls,
                                           function: "function(i) return \(messageTable) end", call: "f(i)")
        let nanosPerCall = { (seconds: Double) in seconds * 1e9 / Double(calls) }
        func row(_ figure: String, _ value: Double, _ unit: String, _ baselineName: String, _ baseline: Double) -> BenchRow {
            BenchRow(suite: "pcall", figure: figure, value: value, unit: unit, baselineName: baselineName, baseline: baseline)
        }
        return [
            row("C pcall, 5-field table (calls/s)", Double(calls) / cSeconds, "/s",
                "Lua pcall(empty fn)", Double(calls) / emptyPcall),
            row("C pcall, 5-field table (ns/call)", nanosPerCall(cSeconds), "ns",
                "Lua pcall(empty fn)", nanosPerCall(emptyPcall)),
            row("C pcall, 5-field table (ns/call)", nanosPerCall(cSeconds), "ns",
                "Lua f(i), same table, no pcall", nanosPerCall(plainCall)),
        ]
    }

    /// Seconds for `calls` iterations of `call` on `f = function`, in one Lua chunk.
    /// No budget, but the state's instruction-count hook runs, as in the C loop.
    static func luaLoopSeconds(_ state: LuaState, calls: Int, function: String, call: String) throws -> Double {
        let chunk = """
            local f = \(function)
            for i = 1, \(calls) do \(call) end
            return 'done'
            """
        let start = ContinuousClock.now
        let ran = try state.exec(chunk, chunkName: "=pcall-bench")
        let seconds = (ContinuousClock.now - start).seconds
        guard ran == "done" else { throw RunnerError("the pcall bench loop did not finish: \(ran ?? "nil")") }
        return seconds
    }
}
