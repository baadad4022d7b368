import Cluster

/// A trivial message to a process whose heap is in the CPU caches, and to one of many
/// processes taking turns (whose heap is not), with the prelude and without it: what
/// a message costs in a game tick, where each of a thousand players gets one.
enum ColdDispatchBench {
    static func rows(scale: Double) throws -> [BenchRow] {
        let many = max(30, Int(1_000 * min(1, scale * 2)))
        let warm = try HostPathBenchmark.cpuPerMessage(processes: 1, perProcess: 3 * many, prelude: true)
        let cold = try HostPathBenchmark.cpuPerMessage(processes: many, prelude: true)
        let bareWarm = try HostPathBenchmark.cpuPerMessage(processes: 1, perProcess: 3 * many, prelude: false)
        let bareCold = try HostPathBenchmark.cpuPerMessage(processes: many, prelude: false)
        return [
            BenchRow(suite: "dispatch", figure: "Ping CPU, \(many) processes in turn", value: cold * 1e6, unit: "µs",
                     baselineName: "one process", baseline: warm * 1e6),
            BenchRow(suite: "dispatch", figure: "the same without the prelude", value: bareCold * 1e6, unit: "µs",
                     baselineName: "one state", baseline: bareWarm * 1e6),
        ]
    }
}
