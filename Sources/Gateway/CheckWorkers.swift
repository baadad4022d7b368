import Foundation

/// A few threads that run CPU-bound request checks (JSON decoding, Ed25519
/// verification: ~60 µs a push) off the gateway's loop, so the loop only parses,
/// routes and writes. Jobs are taken oldest first; each job hands its own result
/// back to the loop (through the gateway's wake-up queue), and `RequestOrder`
/// puts the results back in arrival order.
final class CheckWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var next = 0
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
        jobs = []
        next = 0
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while let job = take() { job() }
    }

    private func take() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && next == jobs.count { condition.wait() }
        guard !stopped else { return nil }
        let job = jobs[next]
        next += 1
        // Compact now and then instead of removeFirst per job.
        if next == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            next = 0
        } else if next >= 1024 {
            jobs.removeFirst(next)
            next = 0
        }
        return job
    }
}

/// Runs the gateway's request handling in arrival order (across all connections, as
/// when every check ran on the loop), even though pushes are checked on other
/// threads and finish their checks in any order. Loop-confined.
final class RequestOrder {
    final class Ticket {
        fileprivate var work: (() -> Void)?
    }

    private var queue: [Ticket] = []
    private var head = 0
    private var isDraining = false
    /// While a queued work runs: where its own reservations go (right behind it,
    /// ahead of requests that arrived after it).
    private var insertPoint: Int?

    /// Runs `work` now if nothing is waiting ahead of it, else after what is.
    func run(_ work: @escaping () -> Void) {
        if head == queue.count && !isDraining {
            work()
        } else {
            let ticket = Ticket()
            ticket.work = work
            queue.append(ticket)
        }
    }

    /// A place in the order whose work is given later with `complete`.
    func reserve() -> Ticket {
        let ticket = Ticket()
        if let point = insertPoint {
            queue.insert(ticket, at: point)
            insertPoint = point + 1
        } else {
            queue.append(ticket)
        }
        return ticket
    }

    func complete(_ ticket: Ticket, _ work: @escaping () -> Void) {
        ticket.work = work
        drain()
    }

    /// Forgets everything waiting (the gateway is closing).
    func clear() {
        queue = []
        head = 0
        insertPoint = nil
    }

    var waiting: Int { queue.count - head }

    private func drain() {
        guard !isDraining else { return }
        isDraining = true
        defer { isDraining = false }
        while head < queue.count, let work = queue[head].work {
            queue[head].work = nil
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 256 {
                queue.removeFirst(head)
                head = 0
            }
            // May answer, which may parse and route more requests: they queue behind.
            insertPoint = head
            work()
            insertPoint = nil
        }
    }
}
