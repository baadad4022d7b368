import Glibc

/// CPU time for the benches and the node's per-evaluation report (`onEvaluationCPU`):
/// unlike wall time, it does not count waiting for cores other jobs hold.
public enum CPUClock {
    /// Seconds of CPU this whole program has used (every thread, user and system).
    public static func process() -> Double { seconds(CLOCK_PROCESS_CPUTIME_ID) }

    /// Seconds of CPU the calling thread has used.
    public static func thread() -> Double { seconds(CLOCK_THREAD_CPUTIME_ID) }

    private static func seconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
