import Crypto
import Foundation
import Ledger
import LuaVM

/// Replays logs from genesis and checks everything a log promises: the hash chain
/// and the node's signatures, each stored result against the recomputed one, and
/// each snapshot's state hash against the replayed heap at that slot.
public struct Verifier {
    public struct Report: Equatable, Sendable {
        public var processes = 0
        public var entries = 0
        public var snapshots = 0
        /// The first mismatch, naming its process and slot; nil when all is well.
        public var failure: String?
        public var isValid: Bool { failure == nil }
    }

    public var limits: LuaLimits = .default
    /// Called every `progressEvery` entries with (process, slot, total entries so far).
    public var progress: ((String, Int64, Int) -> Void)?
    public var progressEvery = 10_000

    public init() {}

    /// Verifies every process of a database, or one.
    public func verify(ledger: Ledger, process only: String? = nil) throws -> Report {
        var report = Report()
        let records = try only.map { id -> [ProcessRecord] in
            guard let record = try ledger.process(id) else { throw NodeError.unknownProcess(id) }
            return [record]
        } ?? ledger.processes()
        for record in records {
            report.processes += 1
            let chain = try ledger.verify(process: record.id)
            if let failure = chain.failure {
                report.failure = "\(failure)"
                return report
            }
            guard let module = try ledger.module(record.moduleID) else {
                report.failure = "process \(record.id): module \(record.moduleID) is missing"
                return report
            }
            var snapshots: [Int64: Data] = [:]
            var below = Int64.max
            while let snapshot = try ledger.latestSnapshot(of: record.id, atOrBelow: below) {
                snapshots[snapshot.slot] = snapshot.stateHash
                guard snapshot.slot > 0 else { break }
                below = snapshot.slot - 1
            }
            var replay = Replay(record: record, source: module.source, limits: limits, snapshots: snapshots)
            try ledger.forEachEntry(of: record.id) { entry in
                replay.apply(entry)
                report.entries += 1
                if report.entries % progressEvery == 0 { progress?(record.id, entry.assignment.slot, report.entries) }
                return replay.failure == nil
            }
            report.snapshots += replay.snapshotsChecked
            if let failure = try replay.failure ?? replay.setupFailure() {
                report.failure = failure
                return report
            }
        }
        return report
    }

    /// Verifies an export (JSON lines) without the database: chain, signatures,
    /// and a replay of every entry against its stored result.
    public func verify(exportLines lines: [String], trustedPublicKey: Data? = nil) throws -> Report {
        var report = Report()
        let chain = ExportVerifier(trustedPublicKey: trustedPublicKey).verify(lines: lines)
        guard chain.isValid, let header = chain.header else {
            report.failure = chain.failure.map { "\($0)" } ?? "unreadable export"
            return report
        }
        guard let module = header.module, chain.moduleMatchesID == true else {
            report.failure = "the export's module is missing or does not match the process's module id"
            return report
        }
        report.processes = 1
        var replay = Replay(record: header.process, source: module.source, limits: limits, snapshots: [:])
        let decoder = JSONDecoder()
        for line in lines.dropFirst() where !line.isEmpty {
            replay.apply(try decoder.decode(LedgerEntry.self, from: Data(line.utf8)))
            report.entries += 1
            if let failure = replay.failure {
                report.failure = failure
                return report
            }
        }
        report.failure = try replay.setupFailure()
        return report
    }
}

/// One process replayed entry by entry.
struct Replay {
    let record: ProcessRecord
    let snapshots: [Int64: Data]
    private let process: AOProcess?
    private let creationError: String?
    private(set) var failure: String?
    private(set) var snapshotsChecked = 0

    init(record: ProcessRecord, source: String, limits: LuaLimits, snapshots: [Int64: Data]) {
        self.record = record
        self.snapshots = snapshots
        do {
            process = try AOProcess(identity: ProcessIdentity(record), moduleSource: source, limits: limits)
            creationError = nil
        } catch {
            process = nil
            creationError = "process \(record.id): cannot create it for replay: \(error)"
        }
    }

    func setupFailure() throws -> String? { creationError }

    mutating func apply(_ entry: LedgerEntry) {
        guard let process, failure == nil else { return }
        let slot = entry.assignment.slot
        let result = process.handle(Message(entry.assignment))
        if let stored = entry.result {
            let replayed = ResultRecord(process: record.id, slot: slot, result)
            // By content: a result stored before an encoding change (ResultJSON's
            // DataOf) is the same result in other bytes.
            if replayed != stored && MessageResult(replayed) != MessageResult(stored) {
                failure = "process \(record.id) slot \(slot): the replayed result differs from the stored one"
                    + " (stored error: \(stored.error ?? "none"), replayed error: \(replayed.error ?? "none"))"
                return
            }
        }
        if let expected = snapshots[slot] {
            guard let bytes = try? process.persist() else {
                failure = "process \(record.id) slot \(slot): the replayed heap cannot be persisted"
                return
            }
            if Data(SHA256.hash(data: bytes)) != expected {
                failure = "process \(record.id) slot \(slot): state hash differs from the snapshot's"
                return
            }
            snapshotsChecked += 1
        }
    }
}
