import Testing
import Cluster

/// `bench dispatch`'s cold-heap rows: the figures are real timings of messages that
/// every receiver counted, with the prelude and without.
@Suite struct HostPathBenchmarkTests {
    @Test(arguments: [true, false])
    func everyMessageIsCountedAndTimed(prelude: Bool) throws {
        let seconds = try HostPathBenchmark.cpuPerMessage(processes: 4, perProcess: 2, rounds: 3, prelude: prelude)
        #expect(seconds > 0 && seconds < 1)
    }
}
