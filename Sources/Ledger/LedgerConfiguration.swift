/// How a ledger opens its database.
public struct LedgerConfiguration: Hashable, Sendable {
    /// What a completed commit survives (SQLite's `synchronous` setting, in WAL mode).
    public enum Durability: Hashable, Sendable {
        /// `synchronous = FULL`: the WAL is fsynced at each commit. A completed batch
        /// survives a process crash, an OS crash and a power loss. The default.
        case full
        /// `synchronous = NORMAL`: no fsync at commit. A completed batch survives a crash
        /// of the process, but the last commits may be lost on an OS crash or power loss.
        /// The database is never corrupted either way.
        case normal
    }

    /// Which entries the writer signs.
    public enum Signing: Hashable, Sendable {
        /// The last entry of every process touched by a commit (each signature vouches
        /// for the links before it). Costs one signature per process per commit.
        case chainHeads
        /// Every entry (about 15–20k signatures/s per core: far below group-commit rates).
        case everyEntry
    }

    public var durability: Durability = .full
    public var signing: Signing = .chainHeads
    /// The most writes that may wait for the writer; `submit` reports `queueFull` beyond.
    /// A single batch larger than this is accepted only when nothing else is pending.
    public var maxPendingWrites = 65_536
    /// Concurrent reader connections.
    public var readerCount = 4
    /// Snapshots kept per process (0 keeps all).
    public var snapshotsKept = 2
    /// Pages in the WAL before SQLite checkpoints it into the database file.
    public var walAutocheckpointPages = 10_000
    /// When a batch fails, fail its whole transaction and every later batch too.
    /// A writer that lets work depend on batches not yet durable (a node releasing
    /// messages between processes before their commit) needs this: batches then
    /// commit as a prefix of the submission order, never with a gap.
    public var failureStopsWriting = false

    public init(durability: Durability = .full, signing: Signing = .chainHeads,
                maxPendingWrites: Int = 65_536, readerCount: Int = 4, snapshotsKept: Int = 2) {
        self.durability = durability
        self.signing = signing
        self.maxPendingWrites = maxPendingWrites
        self.readerCount = readerCount
        self.snapshotsKept = snapshotsKept
    }
}
