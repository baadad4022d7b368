import Foundation

/// The bounded hand-off between submitters (any thread) and the writer thread.
///
/// Submitters append under a lock and wake the writer; the writer takes everything that
/// is pending at once (that is the group commit), and reports completion by ticket so
/// that `flush` can wait for "everything submitted before me".
final class WriteQueue: @unchecked Sendable {
    struct Item {
        let ticket: UInt64
        let batch: LedgerBatch
        let completion: LedgerCompletion
    }

    private enum State { case open, closing, finished }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var pendingWrites = 0
    private var lastTicket: UInt64 = 0
    private var completedTicket: UInt64 = 0
    private var state = State.open
    let limit: Int

    init(limit: Int) {
        precondition(limit > 0, "the ledger queue needs room for at least one write")
        self.limit = limit
    }

    /// Takes a batch, or throws `queueFull` / `closed` (then `completion` never runs).
    func enqueue(_ batch: LedgerBatch, _ completion: @escaping LedgerCompletion) throws(LedgerError) {
        let weight = max(1, batch.count)
        condition.lock()
        defer { condition.unlock() }
        guard state == .open else { throw .closed }
        if pendingWrites > 0, pendingWrites + weight > limit {
            throw .queueFull(pendingWrites: pendingWrites, limit: limit)
        }
        lastTicket += 1
        items.append(Item(ticket: lastTicket, batch: batch, completion: completion))
        pendingWrites += weight
        // Broadcast, not signal: flushers wait on the same condition as the writer.
        if items.count == 1 { condition.broadcast() }
    }

    /// The writer's wait: every pending item, or nil once closing and drained.
    func takeAll() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty {
            if state != .open { return nil }
            condition.wait()
        }
        let taken = items
        items = []
        items.reserveCapacity(taken.count)
        pendingWrites = 0
        return taken
    }

    /// Called by the writer after the completions of every item through `ticket` ran.
    func complete(through ticket: UInt64) {
        condition.lock()
        completedTicket = ticket
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until every batch submitted before this call has completed.
    func waitForAllSubmitted() {
        condition.lock()
        defer { condition.unlock() }
        let target = lastTicket
        while completedTicket < target, state != .finished {
            condition.wait()
        }
    }

    /// Stops accepting batches; the writer drains what is pending, then finishes.
    func close() {
        condition.lock()
        if state == .open { state = .closing }
        condition.broadcast()
        condition.unlock()
    }

    /// Called by the writer as it exits.
    func finish() {
        condition.lock()
        state = .finished
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilFinished() {
        condition.lock()
        while state != .finished { condition.wait() }
        condition.unlock()
    }

    var isOpen: Bool {
        condition.lock()
        defer { condition.unlock() }
        return state == .open
    }

    /// Batches and writes waiting for the writer.
    var pending: (batches: Int, writes: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (items.count, pendingWrites)
    }
}
