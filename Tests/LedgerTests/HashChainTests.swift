import Identity
import Foundation
internal import GRDB
import Testing
@testable import Ledger

@Suite struct HashChainTests {
    /// The example of docs/LEDGER.md, so that other implementations can check theirs.
    @Test func theDocumentedExampleHashesToTheDocumentedValues() throws {
        let process = ProcessRecord(id: "P", moduleID: "M", owner: "O", tags: [TagRecord("Name", "n")],
                                    parent: nil, createdAt: 1)
        let genesis = HashChain.genesis(of: process)
        #expect(Base64URL.encode(genesis) == "xGkFOL02wGW1nod66pOEbqOhlRAxqJ7B7DK8efoxHY8")
        let record = AssignmentRecord(process: "P", slot: 0, messageID: "m0", from: "F", owner: "O",
                                      tags: [TagRecord("Action", "Ping")], data: "hi", timestamp: 2,
                                      origin: nil, previousHash: genesis)
        #expect(HashChain.canonicalBytes(of: record).map { String(format: "%02x", $0) }.joined()
                == "0000001573746172 6c616e652f617373 69676e6d656e742f 3100000001500000 0000000000000000 00026d3000000001 46000000014f0000 0001000000064163 74696f6e00000004 50696e6700000002 6869000000000000 000200"
                .replacingOccurrences(of: " ", with: ""))
        #expect(HashChain.signedMessage(hashChain: record.hashChain).count == 4 + 21 + 32)
        #expect(Base64URL.encode(record.hashChain) == "ep0gqXiXTrQS6il5A6XuNign13yUxTKRogFC21_1yN8")
    }

    /// The writer skips recomputing a link only while the record is as its linking
    /// init made it; setting any hashed field (even to a link recomputed by hand) means
    /// the writer checks again. The knowledge is not part of the record's value.
    @Test func aRecordKnowsWhetherItsLinkIsItsOwn() {
        let linked = AssignmentRecord(process: "p", slot: 0, messageID: "m", from: "f", owner: "o",
                                      tags: [TagRecord("Action", "A")], data: "d", timestamp: 1,
                                      previousHash: Data(repeating: 1, count: 32))
        #expect(linked.linkIsCurrent)
        var signed = linked
        signed.signature = Data(repeating: 2, count: 64)
        #expect(signed.linkIsCurrent)   // not part of the link
        let edits: [(inout AssignmentRecord) -> Void] = [
            { $0.process = "q" }, { $0.slot = 1 }, { $0.messageID = "n" }, { $0.from = "g" }, { $0.owner = "p" },
            { $0.tags = [] }, { $0.data = "e" }, { $0.timestamp = 2 }, { $0.origin = MessageOrigin(process: "x", slot: 0, index: 0) },
            { $0.previousHash = Data(repeating: 3, count: 32) }, { $0.hashChain = HashChain.link($0) },
        ]
        for edit in edits {
            var changed = linked
            edit(&changed)
            #expect(!changed.linkIsCurrent)
        }
        let stored = AssignmentRecord(process: "p", slot: 0, messageID: "m", from: "f", owner: "o",
                                      tags: [TagRecord("Action", "A")], data: "d", timestamp: 1, origin: nil,
                                      previousHash: linked.previousHash, hashChain: linked.hashChain, signature: Data())
        #expect(!stored.linkIsCurrent)
        #expect(stored == linked && stored.hashValue == linked.hashValue)
    }

    @Test func fieldsAreLengthPrefixedSoBoundariesCannotMove() {
        let genesis = Data(repeating: 0, count: 32)
        func link(_ from: String, _ owner: String) -> Data {
            AssignmentRecord(process: "p", slot: 0, messageID: "m", from: from, owner: owner, tags: [],
                             data: "", timestamp: 0, previousHash: genesis).hashChain
        }
        #expect(link("ab", "c") != link("a", "bc"))
    }

    @Test func aStoredRowChangedInSQLIsFoundAtItsSlot() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-t"])
        defer { ledger.close() }
        try ledger.write(LedgerBatch((0..<10).map { _ in chains[0].append() }))
        #expect(try ledger.verify(process: "p-t").isValid)
        try ledger.pool.write { db in
            try db.execute(sql: "UPDATE assignments SET data = 'forged' WHERE process = 'p-t' AND slot = 6")
        }
        let verification = try ledger.verify(process: "p-t")
        let failure = try #require(verification.failure)
        #expect(failure.slot == 6)
        guard case .hashMismatch = failure.reason else {
            Issue.record("expected a hash mismatch, got \(failure)")
            return
        }
        #expect(failure.description.contains("the entry was altered"))
        #expect(verification.verifiedCount == 6)
    }

    @Test func aForgedRowWithARecomputedHashBreaksTheNextLink() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-f"])
        defer { ledger.close() }
        try ledger.write(LedgerBatch((0..<5).map { _ in chains[0].append() }))
        var forged = try ledger.assignments(of: "p-f", slots: 2...2)[0]
        forged.data = "forged"
        forged.hashChain = HashChain.link(forged)
        try ledger.pool.write { db in
            try db.execute(sql: "UPDATE assignments SET data = ?, hash_chain = ? WHERE process = 'p-f' AND slot = 2",
                           arguments: [forged.data, forged.hashChain])
        }
        let failure = try #require(try ledger.verify(process: "p-f").failure)
        #expect(failure.slot == 3)
        guard case .previousHashMismatch = failure.reason else {
            Issue.record("expected a previous-hash mismatch, got \(failure)")
            return
        }
    }

    @Test func aBadSignatureIsFoundAtItsSlot() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-sig"])
        defer { ledger.close() }
        // One commit per entry: every entry is a signed head.
        for _ in 0..<6 { try ledger.write(LedgerBatch([chains[0].append()])) }
        #expect(try ledger.verify(process: "p-sig").signatureCount == 6)
        try ledger.pool.write { db in
            let signature = try Data.fetchOne(db, sql: "SELECT signature FROM assignments WHERE slot = 3")!
            var flipped = signature
            flipped[10] ^= 0x01
            try db.execute(sql: "UPDATE assignments SET signature = ? WHERE slot = 3", arguments: [flipped])
        }
        let failure = try #require(try ledger.verify(process: "p-sig").failure)
        #expect(failure == ChainFailure(process: "p-sig", slot: 3, reason: .badSignature))
    }

    @Test func entriesAfterTheLastSignatureAreReportedAsAnUnsignedTail() throws {
        let process = Fixtures.process("p-u")
        var chain = ChainBuilder(process)
        let key = NodeKey()
        var records = (0..<4).map { _ in chain.next() }
        records[1].signature = key.sign(hashChain: records[1].hashChain)
        let verification = HashChain.verify(records, of: process, publicKey: key.publicKey)
        #expect(verification.failure == ChainFailure(process: "p-u", slot: 2,
                                                     reason: .unsignedTail(lastSignedSlot: 1)))
        records[3].signature = key.sign(hashChain: records[3].hashChain)
        let signed = HashChain.verify(records, of: process, publicKey: key.publicKey)
        #expect(signed.isValid && signed.signatureCount == 2 && signed.head?.slot == 3)
        // Another node's key does not verify.
        let other = HashChain.verify(records, of: process, publicKey: NodeKey().publicKey)
        #expect(other.failure == ChainFailure(process: "p-u", slot: 1, reason: .badSignature))
        // Verifying a continuation from a trusted head.
        let tail = HashChain.verify(Array(records[2...]), of: process, publicKey: key.publicKey,
                                    after: records[1].head)
        #expect(tail.isValid && tail.verifiedCount == 2)
    }

    @Test func aNodeKeyRoundTripsThroughItsSeed() throws {
        let key = NodeKey()
        let again = try NodeKey(seed: key.seed)
        #expect(again.publicKey == key.publicKey && again.id == key.id)
        let hash = Data(repeating: 1, count: 32)
        #expect(NodeKey.verify(signature: key.sign(hashChain: hash), hashChain: hash, publicKey: key.publicKey))
        #expect(throws: LedgerError.self) { try NodeKey(seed: Data([1, 2, 3])) }
    }
}
