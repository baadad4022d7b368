internal import GRDB
import Foundation

/// Where a process's log ends, and what a restart needs to resume it without
/// replaying anything up front.
public struct RecoveryHead: Hashable, Sendable {
    public var process: ProcessRecord
    /// The last entry (nil: an empty log).
    public var head: ChainHead?
    /// The last entry's timestamp (0 for an empty log): assignments stay monotonic.
    public var timestamp: Int64
    /// The newest snapshot's slot, or nil.
    public var snapshotSlot: Int64?
}

extension Ledger {
    /// Every process with its log's head and newest snapshot slot, ordered by id,
    /// in one query (a restart reads this instead of probing process by process).
    public func recoveryHeads() throws(LedgerError) -> [RecoveryHead] {
        try read { db in
            let statement = try RawStatement(db, """
                SELECT p.id, p.module_id, p.owner, p.tags, p.parent, p.created_at,
                       a.slot, a.hash_chain, a.timestamp,
                       (SELECT max(slot) FROM snapshots s WHERE s.process = p.id)
                FROM processes p
                LEFT JOIN assignments a ON a.seq = (
                    SELECT seq FROM assignments WHERE process = p.id ORDER BY slot DESC LIMIT 1)
                ORDER BY p.id
                """)
            let columns: Int32 = 6  // the process record's, as SQL.process reads them
            var heads: [RecoveryHead] = []
            try statement.forEachRow { (row: RawRow) throws -> Void in
                let process = try SQL.process(row)
                let head = row.isNull(columns) ? nil
                    : ChainHead(process: process.id, slot: row.int64(columns), hashChain: row.blob(columns + 1))
                heads.append(RecoveryHead(process: process, head: head,
                                          timestamp: head == nil ? 0 : row.int64(columns + 2),
                                          snapshotSlot: row.optionalInt64(columns + 3)))
            }
            return heads
        }
    }
}

extension Ledger {
    /// The slots of `process` in `slots` that emitted more messages (each spawn counts
    /// twice: the child's slot 0 and the parent's notice) than the log holds entries
    /// with their origin. Only these can have output left to redeliver; counting in
    /// SQL spares a restart decoding every stored outbox. Messages to non-process
    /// targets are never assigned, so slots that sent such messages are listed too.
    public func slotsWithUnassignedOutput(of process: String, slots: ClosedRange<Int64>)
        throws(LedgerError) -> [Int64] {
        try read { db in
            let statement = try RawStatement(db, """
                SELECT a.slot FROM assignments a
                WHERE a.process = ?1 AND a.slot BETWEEN ?2 AND ?3 AND a.error IS NULL
                  AND (a.messages <> '[]' OR a.spawns <> '[]')
                  AND json_array_length(a.messages) + 2 * json_array_length(a.spawns) > (
                      SELECT count(*) FROM assignments o WHERE o.origin_process = ?1 AND o.origin_slot = a.slot)
                ORDER BY a.slot
                """)
            statement.bind(1, process)
            statement.bind(2, slots.lowerBound)
            statement.bind(3, slots.upperBound)
            var found: [Int64] = []
            try statement.forEachRow { (row: RawRow) throws -> Void in found.append(row.int64(0)) }
            return found
        }
    }
}
