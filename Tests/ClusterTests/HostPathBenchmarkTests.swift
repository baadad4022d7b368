import Testing
import Cluster

/// `bench dispatch`'s cold-heap rows: the figures are real timings of messages that
/// every receiver counted, with the prelude (a handler that sends one message or not)
/// and without it.
@Suite struct HostPathBenchmarkTests {
    @Test(arguments: HostPathBenchmark.Work.allCases)
    func everyMessageIsCountedAndTimed(work: HostPathBenchmark.Work) throws {
        let seconds = try HostPathBenchmark.cpuPerMessage(processes: 4, perProcess: 2, rounds: 3, work: work)
        #expect(seconds > 0 && seconds < 1)
    }
}
