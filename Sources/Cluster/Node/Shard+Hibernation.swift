import Crypto
import EventLoop
import Foundation
import Ledger

/// Idle processes leave memory: their Lua heap is dropped and rebuilt on the next
/// use from the newest durable snapshot plus the logged messages after it. What a
/// hibernating process keeps is its runtime record (ids, slot counters, mailbox).
///
/// A process hibernates only when everything it evaluated is durable and nothing
/// waits on it; when more than `wakeReplayLimit` messages follow its last durable
/// snapshot, a new snapshot is written first, so a wake never replays much.
extension Shard {
    /// The most logged messages a wake replays after the snapshot it restores.
    static let wakeReplayLimit: Int64 = 64

    /// Starts the periodic scan (no-op without a period or without the log).
    func startHibernation() {
        guard configuration.durable, let period = configuration.hibernateAfter, hibernationTimer == nil else { return }
        let timer = EventLoop.Timer(loop: loop)
        timer.start(after: period, repeating: period) { [unowned self] _ in self.scanForHibernation() }
        hibernationTimer = timer
    }

    /// Hibernates every process that stayed idle since the previous scan.
    func scanForHibernation() {
        guard failure == nil, !isStopping else { return }
        for runtime in processes.values {
            let idle = !runtime.recentlyActive
            runtime.recentlyActive = false
            guard idle, canHibernate(runtime) else { continue }
            if runtime.process.nextSlot - 1 - runtime.durableSnapshotSlot <= Self.wakeReplayLimit {
                hibernate(runtime)
            } else {
                snapshotThenHibernate(runtime)
            }
        }
    }

    /// Idle, durable and unwatched: nothing would notice the heap is gone.
    func canHibernate(_ runtime: ProcessRuntime) -> Bool {
        !runtime.process.isHibernating && runtime.mailbox.isEmpty && runtime.overflow.isEmpty
            && !runtime.isBlocked && runtime.blockedSenders.isEmpty && runtime.preamble.isEmpty
            && runtime.durableWaiters.isEmpty && runtime.lastSlot == runtime.process.nextSlot - 1
            && runtime.durableSlot >= runtime.lastSlot
    }

    private func hibernate(_ runtime: ProcessRuntime) {
        runtime.process.hibernate()
        runtime.mailbox = []  // gives back the buffer an earlier burst grew
        runtime.durableWaiters = []
    }

    /// A process whose wake would replay too much: snapshot it, and hibernate once
    /// the snapshot is durable if it is still idle. A process parked in Receive cannot
    /// be persisted and stays awake.
    private func snapshotThenHibernate(_ runtime: ProcessRuntime) {
        let slot = runtime.process.nextSlot - 1
        guard let bytes = try? runtime.process.checkpoint() else { return }
        runtime.slotsSinceSnapshot = 0
        runtime.evaluationSinceSnapshot = .zero
        let record = SnapshotRecord(process: runtime.id, slot: slot, bytes: Data(bytes),
                                    stateHash: Data(SHA256.hash(data: bytes)))
        submit(LedgerBatch([.snapshot(record)])) { [unowned self] in
            runtime.durableSnapshotSlot = max(runtime.durableSnapshotSlot, slot)
            if !runtime.recentlyActive, self.canHibernate(runtime) { self.hibernate(runtime) }
        }
    }

    /// Makes the process usable: rebuilds its heap if it hibernates, and marks it
    /// active. Throws when the log cannot be read.
    func awaken(_ runtime: ProcessRuntime) throws {
        runtime.recentlyActive = true
        guard runtime.process.isHibernating else { return }
        let snapshot = try ledger.latestSnapshot(of: runtime.id)
        let first = (snapshot?.slot ?? -1) + 1
        let last = runtime.process.nextSlot - 1
        var replay: [Message] = []
        if first <= last {
            try ledger.forEachEntry(of: runtime.id, slots: first...last) { entry in
                replay.append(Message(entry.assignment))
                return true
            }
        }
        guard replay.count == Int(last - first + 1) else {
            throw NodeError.ledger("the log of \(runtime.id) lacks slots \(first)...\(last) to wake it")
        }
        try runtime.process.wake(snapshot: snapshot.map { [UInt8]($0.bytes) }, replaying: replay)
        runtime.durableSnapshotSlot = snapshot?.slot ?? -1
    }

    /// Processes whose heap is out of memory now (for tests and benchmarks).
    var hibernatingCount: Int { processes.values.reduce(0) { $0 + ($1.process.isHibernating ? 1 : 0) } }
}
