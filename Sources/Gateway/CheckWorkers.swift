import DequeModule
import Foundation

/// A few threads that run CPU-bound request checks (JSON decoding, Ed25519
/// verification: ~60 µs a push) off the gateway's loop, so the loop only parses,
/// routes and writes. Jobs are taken oldest first; each job hands its own result
/// back to the loop (through the gateway's wake-up queue), and `RequestOrder`
/// puts the results back in arrival order.
final class CheckWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs = Deque<@Sendable () -> Void>()
    private var stopped = false

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "gateway-check-\(index)"
            thread.start()
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads end; jobs not started are dropped (their requests' connections
    /// are closing with the gateway).
    func stop() {
        condition.lock()
        stopped = true
        jobs.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while let job = take() { job() }
    }

    private func take() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && jobs.isEmpty { condition.wait() }
        guard !stopped else { return nil }
        return jobs.removeFirst()
    }
}
