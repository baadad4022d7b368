import Cluster
import Foundation

/// One transfer the bank bench sends: indices into the bank's accounts, and an amount.
struct PlannedTransfer: Sendable {
    var payer: Int
    var payee: Int
    var amount: Int

    /// `count` transfers between two distinct accounts of `0..<accounts`, the payer
    /// drawn from `payers` (all accounts by default), amounts 1...5 as in
    /// `starlane workload`. Seeded, so every run sends the same transfers.
    static func random(count: Int, accounts: Int, payers: Range<Int>? = nil, seed: UInt64) -> [PlannedTransfer] {
        var generator = SplitMix64(seed: seed)
        let payers = payers ?? 0..<accounts
        return (0..<count).map { _ in
            let payer = Int.random(in: payers, using: &generator)
            var payee = Int.random(in: 0..<accounts - 1, using: &generator)
            if payee >= payer { payee += 1 }   // any account but the payer, uniformly
            return PlannedTransfer(payer: payer, payee: payee, amount: Int.random(in: 1...5, using: &generator))
        }
    }
}

/// SplitMix64 (Steele et al.): a small seeded generator, for reproducible plans.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Drives a plan through a node with `inFlight` pushes outstanding: each durable
/// answer launches the next push from the shard thread that answered, through the
/// node's completion API, so no task or thread hop is spent per transfer.
final class TransferDriver: @unchecked Sendable {
    typealias Push = @Sendable (_ index: Int, _ done: @escaping Node.Completion<PushReceipt>) -> Void

    /// When each transfer was pushed and acknowledged (durable), and its receipt.
    struct Outcome {
        var pushed: [ContinuousClock.Instant]
        var acknowledged: [ContinuousClock.Instant]
        var receipts: [PushReceipt?]

        var ackLatencies: [Double] { zip(pushed, acknowledged).map { ($1 - $0).seconds } }
        var firstPush: ContinuousClock.Instant { pushed.min()! }
        var lastAck: ContinuousClock.Instant { acknowledged.max()! }
    }

    private let lock = NSLock()
    private let count: Int
    private let push: Push
    private var launched = 0
    private var finished = 0
    private var failures: [String] = []
    private var outcome: Outcome
    private var whenDone: CheckedContinuation<Void, Never>?

    private init(count: Int, push: @escaping Push) {
        self.count = count
        self.push = push
        let now = ContinuousClock.now
        outcome = Outcome(pushed: Array(repeating: now, count: count), acknowledged: Array(repeating: now, count: count),
                          receipts: Array(repeating: nil, count: count))
    }

    /// Pushes transfers 0..<count, at most `inFlight` unanswered at once; throws if any
    /// push was refused or failed in Lua (the driver stops launching at the first).
    static func run(count: Int, inFlight: Int, push: @escaping Push) async throws -> Outcome {
        let driver = TransferDriver(count: count, push: push)
        await withCheckedContinuation { continuation in
            driver.lock.withLock { driver.whenDone = continuation }
            for _ in 0..<min(inFlight, count) { driver.launchNext() }
        }
        return try driver.lock.withLock {
            if let first = driver.failures.first {
                throw RunnerError("bank bench: \(driver.failures.count) transfers failed; first: \(first)")
            }
            return driver.outcome
        }
    }

    private func launchNext() {
        let next: Int? = lock.withLock {
            guard launched < count, failures.isEmpty else { return nil }
            outcome.pushed[launched] = .now
            launched += 1
            return launched - 1
        }
        guard let index = next else { return }
        push(index) { [self] result in answered(index, result) }
    }

    private func answered(_ index: Int, _ result: Result<PushReceipt, NodeError>) {
        let now = ContinuousClock.now
        let done: CheckedContinuation<Void, Never>? = lock.withLock {
            outcome.acknowledged[index] = now
            switch result {
            case .success(let receipt):
                outcome.receipts[index] = receipt
                if let error = receipt.result.error { failures.append("transfer \(index) failed in Lua: \(error)") }
            case .failure(let error):
                failures.append("transfer \(index) refused: \(error)")
            }
            finished += 1
            let allAnswered = finished == launched && (launched == count || !failures.isEmpty)
            guard allAnswered, let continuation = whenDone else { return nil }
            whenDone = nil
            return continuation
        }
        if let done { done.resume() } else { launchNext() }
    }
}

/// When each slot with a given Action became durable (or ran, ledger off), by message
/// id, recorded by the node's commit observer on the shard threads.
final class CommitTimes: @unchecked Sendable {
    private let lock = NSLock()
    private let action: String
    private var times: [String: ContinuousClock.Instant] = [:]

    init(action: String) { self.action = action }

    var observer: @Sendable ([CommittedSlot]) -> Void {
        { [self] slots in
            let now = ContinuousClock.now
            lock.withLock {
                for slot in slots where slot.action == action { times[slot.messageID] = now }
            }
        }
    }

    func time(of messageID: String) -> ContinuousClock.Instant? { lock.withLock { times[messageID] } }
}

/// Nearest-rank percentiles of latencies given in seconds, reported in ms.
struct LatencyPercentiles {
    var p50: Double
    var p99: Double

    init(seconds: [Double]) {
        let sorted = seconds.sorted()
        func rank(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1e3 }
        p50 = rank(0.5)
        p99 = rank(0.99)
    }
}
