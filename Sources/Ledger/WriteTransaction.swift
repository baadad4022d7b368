internal import GRDB
import Foundation

/// One group commit in progress: the prepared statements, the chain checks and the
/// savepoint around each batch. Lives inside one `DatabasePool` write access.
final class WriteTransaction {
    private let committer: GroupCommitter
    private let insertAssignment: RawStatement
    private let updateResult: RawStatement
    private let insertModule: RawStatement
    private let insertProcess: RawStatement
    private let upsertSnapshot: RawStatement
    private let pruneSnapshots: RawStatement
    private let upsertPublic: RawStatement
    private let signEntry: RawStatement
    private let head: RawStatement
    private let hashAtSlot: RawStatement
    private let byMessage: RawStatement
    private let byOrigin: RawStatement
    private let moduleByID: RawStatement
    private let processByID: RawStatement
    private let savepoint: RawStatement
    private let release: RawStatement
    private let rollback: RawStatement

    /// Heads advanced by the batch in progress; merged into the committer's on success.
    private var batchHeads: [String: GroupCommitter.Head] = [:]
    /// Processes whose head this transaction advanced (the ones to sign).
    private var touched: Set<String> = []
    private(set) var signatures = 0
    /// Scratch buffers reused for every row (canonical bytes, tags JSON).
    private var canonical = CanonicalEncoder(capacity: 1024)
    private var scratch: [UInt8] = []

    init(db: Database, committer: GroupCommitter) throws {
        self.committer = committer
        insertAssignment = try RawStatement(db, SQL.insertAssignment)
        updateResult = try RawStatement(db, SQL.updateResult)
        insertModule = try RawStatement(db, SQL.insertModule)
        insertProcess = try RawStatement(db, SQL.insertProcess)
        upsertSnapshot = try RawStatement(db, SQL.upsertSnapshot)
        pruneSnapshots = try RawStatement(db, SQL.pruneSnapshots)
        upsertPublic = try RawStatement(db, SQL.upsertPublic)
        signEntry = try RawStatement(db, SQL.signEntry)
        head = try RawStatement(db, SQL.head)
        hashAtSlot = try RawStatement(db, SQL.hashAtSlot)
        byMessage = try RawStatement(db, SQL.assignmentByMessage)
        byOrigin = try RawStatement(db, SQL.assignmentByOrigin)
        moduleByID = try RawStatement(db, SQL.moduleByID)
        processByID = try RawStatement(db, SQL.processByID)
        savepoint = try RawStatement(db, "SAVEPOINT batch")
        release = try RawStatement(db, "RELEASE batch")
        rollback = try RawStatement(db, "ROLLBACK TO batch")
    }

    /// Applies one batch atomically. A failure of the batch is returned and undone by its
    /// savepoint; a failure that kills the transaction itself is thrown.
    func run(_ batch: LedgerBatch) throws -> Result<BatchReport, LedgerError> {
        var report = BatchReport()
        batchHeads.removeAll(keepingCapacity: true)
        try savepoint.execute()
        do {
            for write in batch.writes {
                try apply(write, to: &report)
            }
            try release.execute()
        } catch {
            // If SQLite already rolled the whole transaction back (disk full, I/O error),
            // these throw and the group fails, as it must.
            try rollback.execute()
            try release.execute()
            return .failure(LedgerError.from(error))
        }
        for (process, head) in batchHeads {
            committer.heads[process] = head
            touched.insert(process)
        }
        return .success(report)
    }

    /// Signs the last entry of every process this transaction advanced, unless signed.
    func signHeads() throws -> Int {
        let unsigned = touched.compactMap { process -> (String, GroupCommitter.Head)? in
            guard let head = committer.heads[process], !head.signed else { return nil }
            return (process, head)
        }
        var signed = [Data](repeating: Data(), count: unsigned.count)
        let key = committer.key
        if unsigned.count >= 16 {
            // Ed25519 signing dominates a group of many small batches: use every core.
            signed.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let out = out
                DispatchQueue.concurrentPerform(iterations: unsigned.count) { i in
                    out[i] = key.sign(hashChain: unsigned[i].1.hashChain)
                }
            }
        } else {
            for (i, entry) in unsigned.enumerated() {
                signed[i] = key.sign(hashChain: entry.1.hashChain)
            }
        }
        for (i, (process, head)) in unsigned.enumerated() {
            signEntry.bind(1, process)
            signEntry.bind(2, head.slot)
            signEntry.bind(3, signed[i])
            try signEntry.execute()
            committer.heads[process]?.signed = true
        }
        signatures += unsigned.count
        return signatures
    }

    private func apply(_ write: LedgerWrite, to report: inout BatchReport) throws {
        switch write {
        case .append(let record, let result):
            try append(record, result: result, to: &report)
        case .result(let result):
            try store(result)
        case .module(let module):
            try store(module)
        case .process(let process):
            try store(process)
        case .snapshot(let snapshot):
            try store(snapshot)
        case .publish(let entry):
            try store(entry)
        }
    }

    // MARK: Appends

    private func append(_ record: AssignmentRecord, result: ResultRecord?,
                        to report: inout BatchReport) throws {
        try validate(record, result: result)
        let current = try currentHead(of: record.process)
        let expectedSlot = current.map { $0.slot + 1 } ?? 0
        if record.slot != expectedSlot {
            // Submitting the very entry that is stored already is a duplicate, not a gap.
            if record.slot < expectedSlot, let stored = try storedHash(record.process, record.slot),
               stored == record.hashChain {
                report.duplicates.append(duplicate(record, existing: ChainHead(
                    process: record.process, slot: record.slot, hashChain: stored)))
                return
            }
            throw chainFailure(record, .slotGap(expected: expectedSlot))
        }
        let expectedPrevious: Data
        if let current {
            expectedPrevious = current.hashChain
        } else {
            guard let process = try storedProcess(record.process) else {
                throw chainFailure(record, .unknownProcess)
            }
            expectedPrevious = HashChain.genesis(of: process)
        }
        guard record.previousHash == expectedPrevious else {
            throw chainFailure(record, .previousHashMismatch(expected: expectedPrevious,
                                                             found: record.previousHash))
        }
        // A record linked by its own init and not changed since needs no second SHA-256.
        if !record.linkIsCurrent {
            let computed = HashChain.link(record, using: &canonical)
            guard computed == record.hashChain else {
                throw chainFailure(record, .hashMismatch(computed: computed, stored: record.hashChain))
            }
        }
        var signature = record.signature
        if signature.isEmpty, committer.configuration.signing == .everyEntry {
            signature = committer.key.sign(hashChain: record.hashChain)
            signatures += 1
        }
        SQL.bind(record, result: result, to: insertAssignment, signature: signature, scratch: &scratch)
        if try insertAssignment.execute() == 0 {
            // ON CONFLICT DO NOTHING: the message id or the origin is stored already.
            report.duplicates.append(try existingDuplicate(of: record))
            return
        }
        batchHeads[record.process] = GroupCommitter.Head(
            slot: record.slot, hashChain: record.hashChain, signed: !signature.isEmpty)
        report.appended += 1
    }

    private func validate(_ record: AssignmentRecord, result: ResultRecord?) throws {
        func invalid(_ detail: String) -> LedgerError {
            .invalidRecord("assignment \(record.process) slot \(record.slot): \(detail)")
        }
        if record.process.isEmpty { throw invalid("empty process id") }
        if record.messageID.isEmpty { throw invalid("empty message id") }
        if record.slot < 0 { throw invalid("negative slot") }
        if record.previousHash.count != HashChain.hashSize { throw invalid("previousHash is not 32 bytes") }
        if record.hashChain.count != HashChain.hashSize { throw invalid("hashChain is not 32 bytes") }
        if !record.signature.isEmpty, record.signature.count != HashChain.signatureSize {
            throw invalid("signature is neither empty nor 64 bytes")
        }
        if let result, result.process != record.process || result.slot != record.slot {
            throw invalid("its result is for \(result.process) slot \(result.slot)")
        }
    }

    private func chainFailure(_ record: AssignmentRecord, _ reason: ChainFailure.Reason) -> LedgerError {
        .chain(ChainFailure(process: record.process, slot: record.slot, reason: reason))
    }

    private func currentHead(of process: String) throws -> GroupCommitter.Head? {
        if let head = batchHeads[process] ?? committer.heads[process] { return head }
        head.bind(1, process)
        let stored = try head.first { row in
            GroupCommitter.Head(slot: row.int64(0), hashChain: row.blob(1), signed: row.int64(2) > 0)
        }
        // Nothing of this batch touched `process` yet, so this is the state before the
        // batch, which stays true if the batch rolls back.
        if let stored { committer.heads[process] = stored }
        return stored
    }

    private func storedHash(_ process: String, _ slot: Int64) throws -> Data? {
        hashAtSlot.bind(1, process)
        hashAtSlot.bind(2, slot)
        return try hashAtSlot.first { $0.blob(0) }
    }

    private func storedProcess(_ id: String) throws -> ProcessRecord? {
        processByID.bind(1, id)
        return try processByID.first { try SQL.process($0) }
    }

    private func existingDuplicate(of record: AssignmentRecord) throws -> Duplicate {
        byMessage.bind(1, record.messageID)
        var existing = try byMessage.first { ($0.text(0), $0.int64(1)) }
        if existing == nil, let origin = record.origin {
            byOrigin.bind(1, origin.process)
            byOrigin.bind(2, origin.slot)
            byOrigin.bind(3, origin.index)
            existing = try byOrigin.first { ($0.text(0), $0.int64(1)) }
        }
        guard let (process, slot) = existing else {
            // Only (process, slot) can have conflicted: the head cache was wrong.
            committer.heads.removeValue(forKey: record.process)
            throw chainFailure(record, .slotGap(expected: record.slot + 1))
        }
        let hash = try storedHash(process, slot) ?? Data()
        return duplicate(record, existing: ChainHead(process: process, slot: slot, hashChain: hash))
    }

    private func duplicate(_ record: AssignmentRecord, existing: ChainHead) -> Duplicate {
        Duplicate(process: record.process, slot: record.slot, messageID: record.messageID,
                  origin: record.origin, existing: existing)
    }

    // MARK: Other records

    private func store(_ result: ResultRecord) throws {
        SQL.bind(result, to: updateResult)
        if try updateResult.execute() == 0 {
            throw LedgerError.notFound("no assignment \(result.process) slot \(result.slot) for this result")
        }
    }

    private func store(_ module: ModuleRecord) throws {
        if module.id.isEmpty { throw LedgerError.invalidRecord("module with an empty id") }
        insertModule.bind(1, module.id)
        insertModule.bind(2, module.source)
        if try insertModule.execute() == 0 {
            moduleByID.bind(1, module.id)
            let stored = try moduleByID.first { $0.text(1) }
            if stored != module.source {
                throw LedgerError.conflict("module \(module.id) is stored with another source")
            }
        }
    }

    private func store(_ process: ProcessRecord) throws {
        if process.id.isEmpty { throw LedgerError.invalidRecord("process with an empty id") }
        moduleByID.bind(1, process.moduleID)
        guard try moduleByID.first({ _ in true }) != nil else {
            throw LedgerError.notFound("module \(process.moduleID) of process \(process.id)")
        }
        SQL.bind(process, to: insertProcess)
        if try insertProcess.execute() == 0, try storedProcess(process.id) != process {
            throw LedgerError.conflict("process \(process.id) is stored with other content")
        }
    }

    private func store(_ snapshot: SnapshotRecord) throws {
        guard try storedHash(snapshot.process, snapshot.slot) != nil else {
            throw LedgerError.notFound("no assignment \(snapshot.process) slot \(snapshot.slot) to snapshot")
        }
        upsertSnapshot.bind(1, snapshot.process)
        upsertSnapshot.bind(2, snapshot.slot)
        upsertSnapshot.bind(3, snapshot.bytes)
        upsertSnapshot.bind(4, snapshot.stateHash)
        try upsertSnapshot.execute()
        let kept = committer.configuration.snapshotsKept
        if kept > 0 {
            pruneSnapshots.bind(1, snapshot.process)
            pruneSnapshots.bind(2, Int64(kept - 1))
            try pruneSnapshots.execute()
        }
    }

    private func store(_ entry: PublicEntry) throws {
        // Derived data: an entry whose append was skipped as a duplicate has no slot to
        // point at, and its value is already stored from the first time.
        guard try storedHash(entry.process, entry.slot) != nil else { return }
        upsertPublic.bind(1, entry.process)
        upsertPublic.bind(2, entry.key)
        upsertPublic.bind(3, entry.value)
        upsertPublic.bind(4, entry.slot)
        try upsertPublic.execute()
    }
}
