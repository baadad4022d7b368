import Cluster

/// A trivial message to a process whose heap is in the CPU caches, and to one of many
/// processes taking turns (whose heap is not): with the prelude, with a handler that
/// also sends a message, and without the prelude. What a message costs in a game tick,
/// where each of a thousand players gets one.
enum ColdDispatchBench {
    static func rows(scale: Double) throws -> [BenchRow] {
        let many = max(30, Int(1_000 * min(1, scale * 2)))
        let figures: [(HostPathBenchmark.Work, String, String)] = [
            (.count, "Ping CPU, \(many) processes in turn", "one process"),
            (.countAndSend, "the same, its handler sending one", "one process"),
            (.noPrelude, "the same without the prelude", "one state"),
        ]
        return try figures.map { work, figure, baselineName in
            let warm = try HostPathBenchmark.cpuPerMessage(processes: 1, perProcess: 3 * many, work: work)
            let cold = try HostPathBenchmark.cpuPerMessage(processes: many, work: work)
            return BenchRow(suite: "dispatch", figure: figure, value: cold * 1e6, unit: "µs",
                            baselineName: baselineName, baseline: warm * 1e6)
        }
    }
}
