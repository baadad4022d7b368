import EventLoop
import Ledger

/// How a shard hands its entries to the ledger: the batches of a run of turns gathered
/// into one, the writes in flight counted (turns pause at `maxInflightWrites`), and the
/// completions brought back to the shard's loop.
extension Shard {
    /// Hands a batch to the ledger; `work` runs on the loop once it is durable,
    /// `failed` (with the reason) if the ledger refused it. During a run of turns the
    /// batch is gathered with the others of the run (in order) and submitted with them.
    func submit(_ batch: LedgerBatch, then work: @escaping () -> Void,
                failed: @escaping (String) -> Void = { _ in }) {
        submit(writes: batch.count, building: { batch.writes }, then: work, failed: failed)
    }

    /// `submit` of writes built only when the gathered batch goes to the ledger;
    /// `writes` counts them without public-state entries (for the flush bound).
    func submit(writes: Int, building build: @escaping () -> [LedgerWrite],
                        then work: @escaping () -> Void, failed: @escaping (String) -> Void) {
        gathered.add(writes: writes, build, then: work, failed: failed)
        if !inTurns || gathered.parts >= Self.gatherTurns || gathered.writes >= Self.gatherWrites {
            flushSubmissions()
        }
    }

    /// Submits what was gathered as one batch: one writer wake-up and one completion hop
    /// for a run of turns instead of one per turn. Runs at the end of every run of turns
    /// (so nothing stays gathered while the loop waits) and before anything leaves the
    /// shard, so an effect is never submitted ahead of its cause.
    func flushSubmissions() {
        guard gathered.parts > 0 else { return }
        let submissions = gathered
        gathered = GatheredSubmissions()
        // With the ledger off nothing reads the writes: they are never built.
        let batch = configuration.durable ? submissions.build() : LedgerBatch()
        submitNow(batch, writes: configuration.durable ? batch.count : submissions.writes, then: {
            for work in submissions.completions { work() }
        }, failed: { why in
            for failed in submissions.failures { failed(why) }
        })
    }

    private func submitNow(_ batch: LedgerBatch, writes: Int, then work: @escaping () -> Void,
                           failed: @escaping (String) -> Void) {
        inflight += 1
        inflightWrites += writes
        let sender = commits.sender
        let call = LoopCall(self) { _ in work() }
        let failure = LoopConfined(failed)
        guard configuration.durable else {
            deferLocally { Shard.finish(call, failure, writes: writes, refusal: nil) }
            return
        }
        // The completion runs on the writer thread; the work hops back to the loop,
        // the only thread that touches the shard.
        // nil: durable; else why the ledger refused the batch.
        let complete: @Sendable (String?) -> Void = { refusal in
            sender.send { Shard.finish(call, failure, writes: writes, refusal: refusal) }
        }
        do {
            try ledger.submit(batch) { outcome in
                if case .failure(let error) = outcome { complete("\(error)") } else { complete(nil) }
            }
        } catch {
            complete("\(error)")
        }
    }

    /// On the loop: a submitted batch is durable (refusal nil) or was refused.
    private static func finish(_ call: LoopCall, _ failure: LoopConfined<(String) -> Void>,
                               writes: Int, refusal: String?) {
        let shard = call.shard
        shard.inflight -= 1
        shard.inflightWrites -= writes
        if let why = refusal {
            shard.fail(why)
            failure.value(why)
        } else {
            call.run()
        }
        shard.resumeAfterLedger()
        if shard.isIdle { shard.becameIdle() }
    }

    /// Runs `work` on a later iteration of this loop, in order with the others.
    private func deferLocally(_ work: @escaping () -> Void) {
        localCompletions.append(work)
        guard localCompletions.count == 1 else { return }
        localCompletionTimer.start(after: .zero) { [unowned self] _ in self.runLocalCompletions() }
    }

    func runLocalCompletions() {
        while !localCompletions.isEmpty {
            let works = localCompletions
            localCompletions.removeAll()
            for work in works { work() }
        }
    }
}

/// Ledger writes of one run of turns, in submission order, with their completions.
/// Each part's writes are built when the whole is submitted (`build`).
struct GatheredSubmissions {
    private var builders: [() -> [LedgerWrite]] = []
    var completions: [() -> Void] = []
    var failures: [(String) -> Void] = []
    /// Writes gathered, as counted when added.
    private(set) var writes = 0
    var parts: Int { completions.count }

    mutating func add(writes count: Int, _ build: @escaping () -> [LedgerWrite],
                      then work: @escaping () -> Void, failed: @escaping (String) -> Void) {
        builders.append(build)
        writes += count
        completions.append(work)
        failures.append(failed)
    }

    /// The batch: every part's writes, in the order they were added.
    func build() -> LedgerBatch {
        var batch = LedgerBatch()
        batch.writes.reserveCapacity(writes)
        for build in builders { batch.writes.append(contentsOf: build()) }
        return batch
    }
}

/// A value handed across threads only to come back to the loop that owns it.
struct LoopConfined<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Work for a shard, handed across threads to run back on the shard's loop.
/// (A class, not a tuple in a wrapper: the Swift 6.3 compiler over-released a
/// destructured tuple captured by a sending closure.)
final class LoopCall: @unchecked Sendable {
    let shard: Shard
    private let work: (Shard) -> Void

    init(_ shard: Shard, _ work: @escaping (Shard) -> Void) {
        self.shard = shard
        self.work = work
    }

    func run() { work(shard) }
}
