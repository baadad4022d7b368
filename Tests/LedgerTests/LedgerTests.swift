import Foundation
internal import GRDB
import Testing
@testable import Ledger

@Suite struct LedgerTests {
    @Test func aFreshFileOpensMigratedInWALModeWithForeignKeysAndFullSync() throws {
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(path: directory.databasePath)
        defer { ledger.close() }
        let (tables, journal, sync, foreignKeys) = try ledger.pool.writeWithoutTransaction { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(Set(tables).isSuperset(of: ["assignments", "modules", "node_keys", "processes", "snapshots"]))
        #expect(journal == "wal")
        #expect(sync == 2)  // FULL
        #expect(foreignKeys == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.databasePath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(ledger.nodeID.count == 43)
        #expect(ledger.publicKey.count == 32)
        #expect(try ledger.counts() == LedgerCounts(modules: 0, processes: 0, assignments: 0,
                                                    snapshots: 0, bytes: ledger.counts().bytes))
    }

    @Test func normalDurabilityUsesSynchronousNormal() throws {
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(path: directory.databasePath,
                                configuration: LedgerConfiguration(durability: .normal))
        defer { ledger.close() }
        let sync = try ledger.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(sync == 1)
    }

    @Test func appendedEntriesOfSeveralProcessesReadBackInSlotOrder() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-a", "p-b", "p-c"])
        defer { ledger.close() }
        var written: [String: [AssignmentRecord]] = [:]
        for round in 0..<5 {
            var batch = LedgerBatch()
            for i in chains.indices {
                for _ in 0...round {
                    let record = chains[i].next()
                    written[record.process, default: []].append(record)
                    batch.append(.append(record, result: ResultRecord(
                        process: record.process, slot: record.slot, output: "o\(record.slot)",
                        messages: #"[{"Target":"x"}]"#, error: record.slot == 2 ? "boom" : nil)))
                }
            }
            let report = try ledger.write(batch)
            #expect(report.appended == batch.count)
            #expect(report.duplicates.isEmpty)
        }
        for chain in chains {
            let stored = try ledger.assignments(of: chain.process.id)
            #expect(stored.count == 15)
            // Only the last entry of each commit is signed; compare everything else.
            #expect(stored.map(\.hashChain) == written[chain.process.id]!.map(\.hashChain))
            #expect(stored.map(\.data) == written[chain.process.id]!.map(\.data))
            #expect(stored.last?.signature.count == 64)
            let middle = try ledger.assignments(of: chain.process.id, slots: 3...5)
            #expect(middle.map(\.slot) == [3, 4, 5])
            let results = try ledger.results(of: chain.process.id, slots: 2...3)
            #expect(results.map(\.error) == ["boom", nil])
            #expect(results.first?.messages == #"[{"Target":"x"}]"#)
            let entries = try ledger.entries(of: chain.process.id, slots: 14...20)
            #expect(entries.count == 1 && entries[0].result?.output == "o14")
            #expect(try ledger.verify(process: chain.process.id).isValid)
        }
        #expect(try ledger.recoveryHeads().compactMap(\.head) == chains.map {
            ChainHead(process: $0.process.id, slot: 14, hashChain: $0.previous)
        })
        #expect(try ledger.chainHead(of: "p-b")?.slot == 14)
        #expect(try ledger.chainHead(of: "nobody") == nil)
        #expect(try ledger.process("p-a") == Fixtures.process("p-a"))
        #expect(try ledger.processes().map(\.id) == ["p-a", "p-b", "p-c"])
        #expect(try ledger.processes(after: "p-a", limit: 1).map(\.id) == ["p-b"])
        #expect(try ledger.module(Fixtures.module.id) == Fixtures.module)
        #expect(try ledger.module("missing") == nil)
        #expect(try ledger.assignment(messageID: "p-c-m7")?.slot == 7)
        let counts = try ledger.counts()
        #expect(counts.modules == 1 && counts.processes == 3 && counts.assignments == 45)
    }

    @Test func aResultCanBeStoredAfterItsEntry() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-late"])
        defer { ledger.close() }
        let record = chains[0].next()
        try ledger.write(LedgerBatch([.append(record, result: nil)]))
        #expect(try ledger.results(of: "p-late").isEmpty)
        #expect(try ledger.entries(of: "p-late").first?.result == nil)
        let result = ResultRecord(process: "p-late", slot: 0, output: "late", messages: "[]", spawns: "[]")
        try ledger.write(LedgerBatch([.result(result)]))
        #expect(try ledger.results(of: "p-late") == [result])
        #expect(try ledger.entries(of: "p-late").first?.result == result)
        #expect(throws: LedgerError.notFound("no assignment p-late slot 5 for this result")) {
            try ledger.write(LedgerBatch([.result(ResultRecord(process: "p-late", slot: 5))]))
        }
        #expect(try ledger.verify(process: "p-late").isValid)
    }

    @Test func dataWithNULAndAnyUnicodeRoundTripsExactly() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-nul"])
        defer { ledger.close() }
        let data = "before\u{0}after \u{1F680} \"quoted\" \\ \n\t\u{7}"
        let record = chains[0].next(data: data, tags: [TagRecord("Odd\u{0}Name", "v\u{0}\u{1F600}\"\\")])
        try ledger.write(LedgerBatch([.append(record, result: ResultRecord(
            process: "p-nul", slot: 0, output: "out\u{0}put", error: "e\u{0}rr"))]))
        let stored = try ledger.assignments(of: "p-nul")
        #expect(stored.first?.data == data)
        #expect(stored.first?.tags == record.tags)
        #expect(stored.first?.hashChain == record.hashChain)
        let result = try ledger.results(of: "p-nul").first
        #expect(result?.output == "out\u{0}put" && result?.error == "e\u{0}rr")
        #expect(try ledger.verify(process: "p-nul").isValid)
    }

    @Test func reopeningKeepsEntriesTheNodeKeyAndTheChain() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-r"])
        let key = ledger.publicKey
        try ledger.write(LedgerBatch((0..<10).map { _ in chains[0].append() }))
        ledger.close()
        ledger.close()  // a second close does nothing

        let reopened = try Ledger(path: directory.databasePath,
                                  configuration: LedgerConfiguration(durability: .normal))
        defer { reopened.close() }
        #expect(reopened.publicKey == key)
        #expect(reopened.nodeID == NodeKey.id(ofPublicKey: key))
        #expect(try reopened.assignments(of: "p-r").count == 10)
        // The writer finds the stored head and accepts the next slot.
        try reopened.write(LedgerBatch([chains[0].append()]))
        #expect(try reopened.chainHead(of: "p-r")?.slot == 10)
        #expect(try reopened.verify(process: "p-r").isValid)
    }

    @Test func aClosedLedgerRefusesWritesAndReads() throws {
        let directory = try TemporaryDirectory()
        let (ledger, _) = try Fixtures.ledger(in: directory, processes: ["p"])
        ledger.close()
        #expect(throws: LedgerError.closed) { try ledger.submit(LedgerBatch()) { _ in } }
        #expect(throws: LedgerError.closed) { try ledger.counts() }
    }

    @Test func snapshotsLoadTheLatestAtOrBelowASlotAndOldOnesArePruned() throws {
        let directory = try TemporaryDirectory()
        var configuration = LedgerConfiguration(durability: .normal)
        configuration.snapshotsKept = 3
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-s"],
                                                   configuration: configuration)
        defer { ledger.close() }
        try ledger.write(LedgerBatch((0..<50).map { _ in chains[0].append() }))
        for slot: Int64 in [10, 20, 30, 40] {
            try ledger.write(LedgerBatch([.snapshot(SnapshotRecord(
                process: "p-s", slot: slot, bytes: Data("state\(slot)\u{0}".utf8),
                stateHash: Data(repeating: UInt8(slot), count: 32)))]))
        }
        #expect(try ledger.latestSnapshot(of: "p-s", atOrBelow: 35)?.slot == 30)
        #expect(try ledger.latestSnapshot(of: "p-s", atOrBelow: 35)?.bytes == Data("state30\u{0}".utf8))
        #expect(try ledger.latestSnapshot(of: "p-s")?.slot == 40)
        #expect(try ledger.latestSnapshot(of: "p-s", atOrBelow: 20)?.slot == 20)
        // Only three are kept: the one at 10 was pruned.
        #expect(try ledger.latestSnapshot(of: "p-s", atOrBelow: 15) == nil)
        #expect(try ledger.counts().snapshots == 3)
        // A snapshot must be at a stored slot.
        #expect(throws: LedgerError.self) {
            try ledger.write(LedgerBatch([.snapshot(SnapshotRecord(
                process: "p-s", slot: 99, bytes: Data(), stateHash: Data()))]))
        }
    }

    @Test func unassignedOriginsAreTheEmittedMessagesWithoutAnEntry() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-o", "p-t"])
        defer { ledger.close() }
        let delivered = MessageOrigin(process: "p-o", slot: 0, index: 0)
        let lost = MessageOrigin(process: "p-o", slot: 0, index: 1)
        try ledger.write(LedgerBatch([chains[0].append(),
                                      chains[1].append(messageID: "emitted-0", origin: delivered)]))
        #expect(try ledger.unassigned([delivered, lost]) == [lost])
    }

    @Test func messageIdsFromOutsideAreUniqueAndEmittedOnesAreUniqueByOrigin() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-a", "p-b"])
        defer { ledger.close() }
        try ledger.write(LedgerBatch([chains[0].append(messageID: "pushed")]))
        // The same id pushed to another process is the same message: refused, not stored.
        var again = chains[1]
        let report = try ledger.write(LedgerBatch([again.append(messageID: "pushed")]))
        #expect(report.appended == 0)
        #expect(report.duplicates.first?.existing.process == "p-a")
        #expect(try ledger.assignment(messageID: "pushed")?.process == "p-a")

        // An emitted message is found by its origin, not by its id.
        let origin = MessageOrigin(process: "p-a", slot: 0, index: 0)
        try ledger.write(LedgerBatch([chains[1].append(messageID: "emitted", origin: origin)]))
        #expect(try ledger.unassigned([origin]).isEmpty)
        #expect(try ledger.assignment(messageID: "emitted") == nil)
        #expect(try ledger.assignments(of: "p-b").map(\.messageID) == ["emitted"])
    }

    @Test func aDatabaseFromBeforeTheOutsideIdIndexIsMigrated() throws {
        let directory = try TemporaryDirectory()
        do {
            let pool = try DatabasePool(path: directory.databasePath)
            try Schema.migrator.migrate(pool, upTo: "v2-public-state")
            try pool.write { db in
                let index = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'assignments_by_message'")
                #expect(index?.contains("WHERE") == false)
            }
        }
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-m"])
        defer { ledger.close() }
        try ledger.write(LedgerBatch([chains[0].append(messageID: "outside")]))
        #expect(try ledger.assignment(messageID: "outside")?.slot == 0)
        let index = try DatabaseQueue(path: directory.databasePath).read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'assignments_by_message'")
        }
        #expect(index?.contains("WHERE origin_process IS NULL") == true)
    }

    @Test func modulesAndProcessesAreIdempotentButImmutable() throws {
        let directory = try TemporaryDirectory()
        let (ledger, _) = try Fixtures.ledger(in: directory, processes: ["p-i"])
        defer { ledger.close() }
        try ledger.write(LedgerBatch([.module(Fixtures.module), .process(Fixtures.process("p-i"))]))
        var other = Fixtures.process("p-i")
        other.owner = "someone-else"
        #expect(throws: LedgerError.conflict("process p-i is stored with other content")) {
            try ledger.write(LedgerBatch([.process(other)]))
        }
        #expect(throws: LedgerError.conflict("module module-1 is stored with another source")) {
            try ledger.write(LedgerBatch([.module(ModuleRecord(id: Fixtures.module.id, source: "x"))]))
        }
        var orphan = Fixtures.process("p-orphan")
        orphan.moduleID = "no-such-module"
        #expect(throws: LedgerError.notFound("module no-such-module of process p-orphan")) {
            try ledger.write(LedgerBatch([.process(orphan)]))
        }
    }
}
