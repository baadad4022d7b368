/// One write of a batch.
public enum LedgerWrite: Hashable, Sendable {
    /// Stores a module. Idempotent; a different source under a stored id is a conflict.
    case module(ModuleRecord)
    /// Records a spawned process. Idempotent; different content under a stored id is a conflict.
    case process(ProcessRecord)
    /// Appends the next entry of a process's log, with its result when it is known.
    /// The entry must continue the stored chain (slot = last + 1, previousHash = last hash).
    case append(AssignmentRecord, result: ResultRecord?)
    /// Stores (or replaces) the result of an entry appended earlier.
    case result(ResultRecord)
    /// Stores a snapshot at a stored slot; older snapshots beyond
    /// `LedgerConfiguration.snapshotsKept` are pruned.
    case snapshot(SnapshotRecord)
    /// Sets one key of a process's public state; a value from an older slot than the
    /// stored one is ignored (a replay rewrites what it wrote before).
    case publish(PublicEntry)
}

/// Writes that commit together or not at all. Batches are independent: a rejected batch
/// leaves the other batches of its group commit untouched.
public struct LedgerBatch: Hashable, Sendable {
    public var writes: [LedgerWrite]

    public init(_ writes: [LedgerWrite] = []) {
        self.writes = writes
    }

    /// Adds a write at the end of the batch.
    public mutating func append(_ write: LedgerWrite) {
        writes.append(write)
    }

    /// Writes in the batch (what counts against `LedgerConfiguration.maxPendingWrites`).
    public var count: Int { writes.count }
    public var isEmpty: Bool { writes.isEmpty }
}

/// A message that was already stored, so an append of it was skipped (exactly once).
public struct Duplicate: Hashable, Sendable, CustomStringConvertible {
    /// The append that was skipped.
    public var process: String
    public var slot: Int64
    public var messageID: String
    public var origin: MessageOrigin?
    /// Where the message is stored.
    public var existing: ChainHead

    public var description: String {
        "message \(messageID) for \(process) slot \(slot) is already stored at "
            + "\(existing.process) slot \(existing.slot)"
    }
}

/// What a committed batch did.
public struct BatchReport: Hashable, Sendable {
    /// Entries written.
    public var appended = 0
    /// Appends skipped because their message (same id, or same origin) was already stored.
    /// The skipped entry's slot is not taken: a later append to that slot of the same
    /// process is still expected to continue the stored chain.
    public var duplicates: [Duplicate] = []
    /// The number of the transaction that made the batch durable (1, 2, ... since open).
    public var transaction: UInt64 = 0

    public init() {}
}

/// The completion of a submitted batch. It runs once, on the writer thread, after the
/// transaction holding the batch committed (or failed); it must not block.
public typealias LedgerCompletion = @Sendable (Result<BatchReport, LedgerError>) -> Void
