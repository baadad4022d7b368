internal import GRDB
import Foundation

/// The cluster's durable storage: modules, processes, the hash-chained log of every
/// process with its results, snapshots and the node key, in one SQLite database (WAL).
///
/// Writes go through `submit`: one writer thread takes every pending batch and commits
/// them in one transaction (group commit), then calls each batch's completion. Reads
/// run on any thread, concurrently with the writer, each in its own snapshot of the
/// database.
public final class Ledger: Sendable {
    /// The database file.
    public let path: String
    public let configuration: LedgerConfiguration
    /// The node's signing key (created on first open, kept in `node_keys`).
    public let nodeKey: NodeKey

    let pool: DatabasePool
    private let queue: WriteQueue
    private let statisticsBox: Locked<LedgerStatistics>
    private let writerThread: Locked<pthread_t?>
    private let closed = Locked(false)

    /// Opens (creating and migrating if needed) the ledger at `path` and starts its writer.
    /// A new file is created readable by its owner only: it holds the node's private key.
    public init(path: String, configuration: LedgerConfiguration = LedgerConfiguration()) throws(LedgerError) {
        self.path = path
        self.configuration = configuration
        do {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil,
                                                     attributes: [.posixPermissions: 0o600]) else {
                    throw LedgerError.database(code: -1, message: "cannot create \(path)", sql: nil)
                }
            }
            var config = Configuration()
            config.label = "Ledger"
            config.foreignKeysEnabled = true
            config.maximumReaderCount = max(1, configuration.readerCount)
            config.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: config)
            try pool.writeWithoutTransaction { db in
                // After the pool's own set-up, which chooses synchronous = NORMAL for WAL.
                let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(configuration.walAutocheckpointPages)")
                try db.execute(sql: "PRAGMA journal_size_limit = \(64 << 20)")
                try db.execute(sql: "PRAGMA cache_size = -65536")
            }
            try Schema.migrator.migrate(pool)
            nodeKey = try pool.write { db in try Ledger.loadOrCreateNodeKey(db) }
        } catch {
            throw LedgerError.from(error)
        }
        queue = WriteQueue(limit: configuration.maxPendingWrites)
        statisticsBox = Locked(LedgerStatistics())
        writerThread = Locked(nil)
        startWriter()
    }

    deinit {
        // The last reference may go away inside a completion, on the writer thread, which
        // cannot wait for itself: then the writer drains and exits on its own.
        shutdown(wait: !isWriterThread)
    }

    /// The raw 32-byte Ed25519 public key of the node.
    public var publicKey: Data { nodeKey.publicKey }
    /// base64url(SHA-256(public key)), 43 characters.
    public var nodeID: String { nodeKey.id }

    // MARK: Writing

    /// Queues a batch for the next group commit. `completion` runs exactly once, on the
    /// writer thread, after the batch is durable (or rejected).
    ///
    /// Throws `queueFull` when the bounded queue has no room, or `closed`; then the
    /// completion never runs.
    public func submit(_ batch: LedgerBatch, completion: @escaping LedgerCompletion) throws(LedgerError) {
        try queue.enqueue(batch, completion)
    }

    /// Submits and waits: the batch's report, or its error. Not from the writer thread.
    @discardableResult
    public func write(_ batch: LedgerBatch) throws(LedgerError) -> BatchReport {
        preconditionNotOnWriter("Ledger.write")
        let outcome = Locked<Result<BatchReport, LedgerError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        try submit(batch) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        // The completion ran before the semaphore was signalled.
        return try outcome.withLock { $0! }.get()
    }

    /// Blocks until every batch submitted before the call has completed. Not from the
    /// writer thread (that is, not from a completion).
    public func flush() {
        preconditionNotOnWriter("Ledger.flush")
        queue.waitForAllSubmitted()
    }

    /// Stops accepting batches, waits for every pending batch to complete, and closes the
    /// database. Later calls do nothing.
    public func close() {
        preconditionNotOnWriter("Ledger.close")
        shutdown(wait: true)
    }

    private func shutdown(wait: Bool) {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        if wasClosed { return }
        queue.close()
        if wait {
            queue.waitUntilFinished()
            try? pool.close()
        }
    }

    /// True until `close` was called.
    public var isOpen: Bool { !closed.withLock { $0 } }

    /// Writer counters since open, with the current queue depth.
    public var statistics: LedgerStatistics {
        var stats = statisticsBox.withLock { $0 }
        let pending = queue.pending
        stats.pendingBatches = pending.batches
        stats.pendingWrites = pending.writes
        return stats
    }

    /// Group commits since open.
    public var transactionCount: UInt64 { statisticsBox.withLock { $0.transactions } }

    private func startWriter() {
        let committer = GroupCommitter(pool: pool, key: nodeKey, configuration: configuration,
                                       statistics: statisticsBox)
        let queue = self.queue
        let writerThread = self.writerThread
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread {
            writerThread.withLock { $0 = pthread_self() }
            ready.signal()
            while let items = queue.takeAll() {
                let outcomes = committer.commit(items.map(\.batch))
                for (item, outcome) in zip(items, outcomes) {
                    item.completion(outcome)
                }
                queue.complete(through: items[items.count - 1].ticket)
            }
            queue.finish()
        }
        thread.name = "starlane.ledger.writer"
        thread.start()
        ready.wait()
    }

    private var isWriterThread: Bool {
        writerThread.withLock { writer in writer.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    private func preconditionNotOnWriter(_ function: String) {
        precondition(!isWriterThread, "\(function) would wait for the writer thread from the writer thread")
    }

    // MARK: Node key

    private static func loadOrCreateNodeKey(_ db: Database) throws -> NodeKey {
        if let row = try Row.fetchOne(db, sql: "SELECT private_key, public_key FROM node_keys WHERE id = 1") {
            let key = try NodeKey(seed: row["private_key"])
            guard key.publicKey == (row["public_key"] as Data) else {
                throw LedgerError.corrupt("node_keys: the public key does not match the private key")
            }
            return key
        }
        let key = NodeKey()
        try db.execute(
            sql: """
                INSERT INTO node_keys (id, algorithm, private_key, public_key, node_id, created_at)
                VALUES (1, 'ed25519', ?, ?, ?, ?)
                """,
            arguments: [key.seed, key.publicKey, key.id, Int64(Date().timeIntervalSince1970 * 1000)])
        return key
    }
}
