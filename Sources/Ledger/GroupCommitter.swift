internal import GRDB
import Foundation

/// The writer thread's state: it turns a group of batches into one transaction.
///
/// Confined to the writer thread once that thread starts (hence `@unchecked Sendable`,
/// needed only to hand it to the thread).
final class GroupCommitter: @unchecked Sendable {
    /// The last stored entry of a process, as the open transaction sees it.
    struct Head {
        var slot: Int64
        var hashChain: Data
        var signed: Bool
    }

    let pool: DatabasePool
    let key: NodeKey
    let configuration: LedgerConfiguration
    let statistics: Locked<LedgerStatistics>
    /// Heads of processes written or read since open. Exact while the transaction that
    /// filled them commits; cleared whenever a transaction fails.
    var heads: [String: Head] = [:]
    /// Why writing stopped, with `failureStopsWriting`: every later batch fails with it.
    private var stopped: LedgerError?

    init(pool: DatabasePool, key: NodeKey, configuration: LedgerConfiguration,
         statistics: Locked<LedgerStatistics>) {
        self.pool = pool
        self.key = key
        self.configuration = configuration
        self.statistics = statistics
    }

    /// Writes every batch of the group in one transaction, each inside its own savepoint,
    /// and returns one outcome per batch, in order.
    func commit(_ batches: [LedgerBatch]) -> [Result<BatchReport, LedgerError>] {
        if let stopped {
            statistics.withLock { $0.batchesRejected += UInt64(batches.count) }
            return Array(repeating: .failure(stopped), count: batches.count)
        }
        var outcomes: [Result<BatchReport, LedgerError>] = []
        outcomes.reserveCapacity(batches.count)
        var signatures = 0
        do {
            try pool.writeWithoutTransaction { db in
                let transaction = try WriteTransaction(db: db, committer: self)
                try db.inTransaction(.immediate) {
                    for batch in batches {
                        let outcome = try transaction.run(batch)
                        if configuration.failureStopsWriting, case .failure(let error) = outcome {
                            throw error  // rolls back the whole group: no batch after a gap commits
                        }
                        outcomes.append(outcome)
                    }
                    signatures = try transaction.signHeads()
                    return .commit
                }
            }
        } catch {
            heads.removeAll()
            let failure = LedgerError.from(error)
            if configuration.failureStopsWriting { stopped = failure }
            statistics.withLock {
                $0.failedTransactions += 1
                $0.batchesRejected += UInt64(batches.count)
            }
            return Array(repeating: .failure(failure), count: batches.count)
        }
        return statistics.withLock { stats in
            stats.transactions += 1
            stats.signatures += UInt64(signatures)
            stats.largestGroup = max(stats.largestGroup, batches.count)
            let number = stats.transactions
            return outcomes.map { outcome in
                switch outcome {
                case .success(var report):
                    report.transaction = number
                    stats.batchesCommitted += 1
                    stats.entriesAppended += UInt64(report.appended)
                    stats.duplicatesSkipped += UInt64(report.duplicates.count)
                    return .success(report)
                case .failure(let error):
                    stats.batchesRejected += 1
                    return .failure(error)
                }
            }
        }
    }
}
