/// Counters of the writer since the ledger was opened.
public struct LedgerStatistics: Hashable, Sendable {
    /// Transactions committed (group commits). Each holds one or more batches.
    public var transactions: UInt64 = 0
    /// Transactions that failed as a whole (every batch in them reported the error).
    public var failedTransactions: UInt64 = 0
    public var batchesCommitted: UInt64 = 0
    public var batchesRejected: UInt64 = 0
    public var entriesAppended: UInt64 = 0
    public var duplicatesSkipped: UInt64 = 0
    public var signatures: UInt64 = 0
    /// The most batches one transaction held.
    public var largestGroup = 0
    /// Batches and writes waiting for the writer right now.
    public var pendingBatches = 0
    public var pendingWrites = 0

    public init() {}
}
