import DequeModule

/// Runs the gateway's request handling in arrival order (across all connections, as
/// when every check ran on the loop), even though pushes are checked on other
/// threads and finish their checks in any order. Loop-confined.
final class RequestOrder {
    final class Ticket {
        fileprivate var work: (() -> Void)?
    }

    private var queue = Deque<Ticket>()
    private var isDraining = false
    /// While a queued work runs: where its own reservations go (right behind it,
    /// ahead of requests that arrived after it).
    private var insertPoint: Int?

    /// Runs `work` now if nothing is waiting ahead of it, else after what is.
    func run(_ work: @escaping () -> Void) {
        if queue.isEmpty && !isDraining {
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
        queue.removeAll()
        insertPoint = nil
    }

    var waiting: Int { queue.count }

    private func drain() {
        guard !isDraining else { return }
        isDraining = true
        defer { isDraining = false }
        while let first = queue.first, let work = first.work {
            first.work = nil
            queue.removeFirst()
            // May answer, which may parse and route more requests: they queue behind.
            insertPoint = 0
            work()
            insertPoint = nil
        }
    }
}
