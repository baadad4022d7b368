import Foundation

/// The SQL the ledger runs, in one place, with the row decoders that go with it.
enum SQL {
    static let assignmentColumns = """
        process, slot, message_id, sender, owner, tags, data, timestamp, \
        origin_process, origin_slot, origin_index, previous_hash, hash_chain, signature
        """
    static let resultColumns = "process, slot, output, messages, spawns, error"
    /// The assignment columns followed by the result columns (indexes 14–17).
    static let entryColumns = assignmentColumns + ", output, messages, spawns, error"
    static let processColumns = "id, module_id, owner, tags, parent, created_at"

    static let insertAssignment = """
        INSERT INTO assignments (\(entryColumns))
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
        ON CONFLICT DO NOTHING
        """
    static let updateResult = """
        UPDATE assignments SET output = ?3, messages = ?4, spawns = ?5, error = ?6
        WHERE process = ?1 AND slot = ?2
        """
    static let insertModule = "INSERT INTO modules (id, source) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING"
    static let insertProcess = """
        INSERT INTO processes (\(processColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (id) DO NOTHING
        """
    static let upsertSnapshot = """
        INSERT INTO snapshots (process, slot, bytes, state_hash) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (process, slot) DO UPDATE SET bytes = excluded.bytes, state_hash = excluded.state_hash
        """
    static let pruneSnapshots = """
        DELETE FROM snapshots WHERE process = ?1 AND slot < (
            SELECT slot FROM snapshots WHERE process = ?1 ORDER BY slot DESC LIMIT 1 OFFSET ?2)
        """
    static let upsertPublic = """
        INSERT INTO public_state (process, key, value, slot) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (process, key) DO UPDATE SET value = excluded.value, slot = excluded.slot
        WHERE excluded.slot >= public_state.slot
        """
    static let signEntry = "UPDATE assignments SET signature = ?3 WHERE process = ?1 AND slot = ?2"
    static let head = """
        SELECT slot, hash_chain, length(signature) FROM assignments
        WHERE process = ?1 ORDER BY slot DESC LIMIT 1
        """
    static let hashAtSlot = "SELECT hash_chain FROM assignments WHERE process = ?1 AND slot = ?2"
    /// Messages from outside (no origin): the ones `assignments_by_message` holds.
    static let assignmentByMessage = """
        SELECT process, slot FROM assignments WHERE message_id = ?1 AND origin_process IS NULL
        """
    static let assignmentByOrigin = """
        SELECT process, slot FROM assignments
        WHERE origin_process = ?1 AND origin_slot = ?2 AND origin_index = ?3
        """
    static let moduleByID = "SELECT id, source FROM modules WHERE id = ?1"
    static let processByID = "SELECT \(processColumns) FROM processes WHERE id = ?1"

    static func assignment(_ row: RawRow) throws -> AssignmentRecord {
        let process = row.text(0)
        let slot = row.int64(1)
        let tags: [TagRecord]
        do {
            tags = try TagsJSON.decode(row.text(5))
        } catch {
            throw LedgerError.corrupt("assignment \(process) slot \(slot): \(error)")
        }
        var origin: MessageOrigin?
        if let originProcess = row.optionalText(8) {
            origin = MessageOrigin(process: originProcess, slot: row.int64(9), index: row.int64(10))
        }
        return AssignmentRecord(
            process: process, slot: slot, messageID: row.text(2), from: row.text(3),
            owner: row.text(4), tags: tags, data: row.text(6), timestamp: row.int64(7),
            origin: origin, previousHash: row.blob(11), hashChain: row.blob(12),
            signature: row.blob(13))
    }

    static func result(_ row: RawRow) -> ResultRecord {
        ResultRecord(process: row.text(0), slot: row.int64(1), output: row.text(2),
                     messages: row.text(3), spawns: row.text(4), error: row.optionalText(5))
    }

    /// An entry row selected with `entryColumns`.
    static func entry(_ row: RawRow) throws -> LedgerEntry {
        let assignment = try SQL.assignment(row)
        var result: ResultRecord?
        if !row.isNull(14) {
            result = ResultRecord(process: assignment.process, slot: assignment.slot, output: row.text(14),
                                  messages: row.text(15), spawns: row.text(16), error: row.optionalText(17))
        }
        return LedgerEntry(assignment: assignment, result: result)
    }

    static func process(_ row: RawRow) throws -> ProcessRecord {
        let id = row.text(0)
        let tags: [TagRecord]
        do {
            tags = try TagsJSON.decode(row.text(3))
        } catch {
            throw LedgerError.corrupt("process \(id): \(error)")
        }
        return ProcessRecord(id: id, moduleID: row.text(1), owner: row.text(2), tags: tags,
                             parent: row.optionalText(4), createdAt: row.int64(5))
    }

    /// Binds an entry and its result (or NULLs) to `insertAssignment`.
    static func bind(_ record: AssignmentRecord, result: ResultRecord?, to statement: RawStatement,
                     signature: Data, scratch: inout [UInt8]) {
        statement.bind(1, record.process)
        statement.bind(2, record.slot)
        statement.bind(3, record.messageID)
        statement.bind(4, record.from)
        statement.bind(5, record.owner)
        scratch.removeAll(keepingCapacity: true)
        TagsJSON.encode(record.tags, into: &scratch)
        statement.bindText(6, utf8: scratch)
        statement.bind(7, record.data)
        statement.bind(8, record.timestamp)
        statement.bind(9, record.origin?.process)
        statement.bind(10, record.origin?.slot)
        statement.bind(11, record.origin?.index)
        statement.bind(12, record.previousHash)
        statement.bind(13, record.hashChain)
        statement.bind(14, signature)
        if let result {
            statement.bind(15, result.output)
            statement.bind(16, result.messages)
            statement.bind(17, result.spawns)
            statement.bind(18, result.error)
        } else {
            for index: Int32 in 15...18 { statement.bindNull(index) }
        }
    }

    /// Binds a result to `updateResult`.
    static func bind(_ result: ResultRecord, to statement: RawStatement) {
        statement.bind(1, result.process)
        statement.bind(2, result.slot)
        statement.bind(3, result.output)
        statement.bind(4, result.messages)
        statement.bind(5, result.spawns)
        statement.bind(6, result.error)
    }

    static func bind(_ process: ProcessRecord, to statement: RawStatement) {
        statement.bind(1, process.id)
        statement.bind(2, process.moduleID)
        statement.bind(3, process.owner)
        statement.bind(4, TagsJSON.encode(process.tags))
        statement.bind(5, process.parent)
        statement.bind(6, process.createdAt)
    }
}
