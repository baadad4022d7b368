internal import GRDB
import Foundation

/// Readers: any thread, concurrently with the writer. Each call reads one consistent
/// snapshot of the database (a WAL read transaction).
extension Ledger {
    func read<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        guard isOpen else { throw .closed }
        do {
            return try pool.read { db in try body(db) }
        } catch {
            throw LedgerError.from(error)
        }
    }

    /// The process record, or nil.
    public func process(_ id: String) throws(LedgerError) -> ProcessRecord? {
        try read { db in
            let statement = try RawStatement(db, SQL.processByID)
            statement.bind(1, id)
            return try statement.first { try SQL.process($0) }
        }
    }

    /// Processes ordered by id, from after `id` (exclusive) on, at most `limit` of them.
    public func processes(after id: String? = nil, limit: Int = .max) throws(LedgerError) -> [ProcessRecord] {
        try read { db in
            let statement = try RawStatement(
                db, "SELECT \(SQL.processColumns) FROM processes WHERE id > ?1 ORDER BY id LIMIT ?2")
            statement.bind(1, id ?? "")
            statement.bind(2, Int64(limit))
            var processes: [ProcessRecord] = []
            try statement.forEachRow { processes.append(try SQL.process($0)) }
            return processes
        }
    }

    /// A module's source by id, or nil.
    public func module(_ id: String) throws(LedgerError) -> ModuleRecord? {
        try read { db in
            let statement = try RawStatement(db, SQL.moduleByID)
            statement.bind(1, id)
            return try statement.first { ModuleRecord(id: $0.text(0), source: $0.text(1)) }
        }
    }

    /// The entries of `process` whose slot is in `slots`, in slot order.
    public func assignments(of process: String, slots: ClosedRange<Int64> = 0...Int64.max)
        throws(LedgerError) -> [AssignmentRecord] {
        try read { db in
            let statement = try RawStatement(db, """
                SELECT \(SQL.assignmentColumns) FROM assignments
                WHERE process = ?1 AND slot BETWEEN ?2 AND ?3 ORDER BY slot
                """)
            statement.bind(1, process)
            statement.bind(2, slots.lowerBound)
            statement.bind(3, slots.upperBound)
            var records: [AssignmentRecord] = []
            try statement.forEachRow { records.append(try SQL.assignment($0)) }
            return records
        }
    }

    /// The entry that holds message `messageID` from outside the node's processes (a
    /// push, a spawn, a cron or host message), or nil. A message a process emitted is
    /// found by its origin (`unassigned(_:)`): its id is not indexed (docs/LEDGER.md).
    public func assignment(messageID: String) throws(LedgerError) -> AssignmentRecord? {
        try read { db in
            let statement = try RawStatement(db, """
                SELECT \(SQL.assignmentColumns) FROM assignments
                WHERE message_id = ?1 AND origin_process IS NULL
                """)
            statement.bind(1, messageID)
            return try statement.first { try SQL.assignment($0) }
        }
    }

    /// The results of `process` whose slot is in `slots`, in slot order.
    public func results(of process: String, slots: ClosedRange<Int64> = 0...Int64.max)
        throws(LedgerError) -> [ResultRecord] {
        try read { db in
            let statement = try RawStatement(db, """
                SELECT \(SQL.resultColumns) FROM assignments
                WHERE process = ?1 AND slot BETWEEN ?2 AND ?3 AND output IS NOT NULL ORDER BY slot
                """)
            statement.bind(1, process)
            statement.bind(2, slots.lowerBound)
            statement.bind(3, slots.upperBound)
            var results: [ResultRecord] = []
            try statement.forEachRow { results.append(SQL.result($0)) }
            return results
        }
    }

    /// Entries with their results, in slot order (what recovery replays).
    public func entries(of process: String, slots: ClosedRange<Int64> = 0...Int64.max)
        throws(LedgerError) -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        try forEachEntry(of: process, slots: slots) { entries.append($0); return true }
        return entries
    }

    /// Streams entries with their results in slot order, all from one read snapshot,
    /// until `body` returns false.
    public func forEachEntry(of process: String, slots: ClosedRange<Int64> = 0...Int64.max,
                             _ body: (LedgerEntry) throws -> Bool) throws(LedgerError) {
        try read { db in try Ledger.forEachEntry(db, process, slots, body) }
    }

    static func forEachEntry(_ db: Database, _ process: String, _ slots: ClosedRange<Int64>,
                             _ body: (LedgerEntry) throws -> Bool) throws {
        let statement = try RawStatement(db, """
            SELECT \(SQL.entryColumns) FROM assignments
            WHERE process = ?1 AND slot BETWEEN ?2 AND ?3 ORDER BY slot
            """)
        statement.bind(1, process)
        statement.bind(2, slots.lowerBound)
        statement.bind(3, slots.upperBound)
        try statement.forEachRow(while: { row in try body(try SQL.entry(row)) })
    }

    /// The newest snapshot of `process` taken at or below `slot`, or nil.
    public func latestSnapshot(of process: String, atOrBelow slot: Int64 = .max)
        throws(LedgerError) -> SnapshotRecord? {
        try read { db in
            let statement = try RawStatement(db, """
                SELECT process, slot, bytes, state_hash FROM snapshots
                WHERE process = ?1 AND slot <= ?2 ORDER BY slot DESC LIMIT 1
                """)
            statement.bind(1, process)
            statement.bind(2, slot)
            return try statement.first {
                SnapshotRecord(process: $0.text(0), slot: $0.int64(1), bytes: $0.blob(2), stateHash: $0.blob(3))
            }
        }
    }

    /// The last stored entry of `process`, or nil if its log is empty.
    public func chainHead(of process: String) throws(LedgerError) -> ChainHead? {
        try read { db in
            let statement = try RawStatement(db, SQL.head)
            statement.bind(1, process)
            return try statement.first { ChainHead(process: process, slot: $0.int64(0), hashChain: $0.blob(1)) }
        }
    }

    /// The origins among `origins` that no stored entry has: messages emitted by committed
    /// slots that were never assigned to their target, to redeliver on recovery.
    public func unassigned(_ origins: [MessageOrigin]) throws(LedgerError) -> [MessageOrigin] {
        try read { db in
            let statement = try RawStatement(db, SQL.assignmentByOrigin)
            return try origins.filter { origin in
                statement.bind(1, origin.process)
                statement.bind(2, origin.slot)
                statement.bind(3, origin.index)
                return try statement.first { _ in true } == nil
            }
        }
    }

    /// Row counts for `/~info`. Cheap: entries are counted from the append sequence.
    public func counts() throws(LedgerError) -> LedgerCounts {
        try read { db in
            func int(_ sql: String) throws -> Int {
                Int(try RawStatement(db, sql).first { $0.int64(0) } ?? 0)
            }
            return LedgerCounts(
                modules: try int("SELECT count(*) FROM modules"),
                processes: try int("SELECT count(*) FROM processes"),
                // Entries are never deleted and rolled-back inserts free their rowid, so the
                // largest rowid is the count, found in O(log n) instead of a full scan.
                assignments: try int("SELECT coalesce(max(seq), 0) FROM assignments"),
                snapshots: try int("SELECT count(*) FROM snapshots"),
                bytes: try int("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"))
        }
    }

    /// Checks the stored log of `process` from slot 0: chain, signatures, signed tail.
    public func verify(process id: String) throws(LedgerError) -> ChainVerification {
        guard let process = try process(id) else { throw .notFound("process \(id)") }
        let publicKey = self.publicKey
        return try read { db in
            var verifier = ChainVerifier(process: process, publicKey: publicKey)
            let statement = try RawStatement(db, """
                SELECT \(SQL.assignmentColumns) FROM assignments WHERE process = ?1 ORDER BY slot
                """)
            statement.bind(1, id)
            try statement.forEachRow(while: { row in
                do {
                    return verifier.check(try SQL.assignment(row)) == nil
                } catch {
                    verifier.fail(slot: row.int64(1), .unreadable("\(error)"))
                    return false
                }
            })
            return verifier.finish()
        }
    }
}
