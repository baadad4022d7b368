import Foundation
import Testing
@testable import Ledger

@Suite struct ExportVerifierTests {
    private func exported(entries: Int = 12) throws -> (String, Data) {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-x", "p-other"])
        defer { ledger.close() }
        for commit in 0..<3 {
            var batch = LedgerBatch((0..<(entries / 3)).map { _ in chains[0].append() })
            batch.append(chains[1].append())
            if commit == 1 {
                batch.append(.snapshot(SnapshotRecord(process: "p-x", slot: chains[0].nextSlot - 1,
                                                      bytes: Data([1, 2]), stateHash: Data(count: 32))))
            }
            try ledger.write(batch)
        }
        return (try ledger.exportJSONL(process: "p-x"), ledger.publicKey)
    }

    @Test func anExportVerifiesWithoutTheDatabase() throws {
        let (jsonl, key) = try exported()
        let lines = jsonl.split(separator: "\n")
        #expect(lines.count == 13)
        #expect(lines[0].contains(#""format":"starlane-ledger-export""#))
        let report = ExportVerifier(trustedPublicKey: key).verify(jsonl: jsonl)
        #expect(report.isValid, "\(String(describing: report.failure))")
        #expect(report.entries == 12 && report.results == 12)
        #expect(report.chain.signatureCount == 3)
        #expect(report.header?.process == Fixtures.process("p-x"))
        #expect(report.header?.module == Fixtures.module)
        #expect(report.moduleMatchesID == false)  // the fixture's id is not a content hash
    }

    @Test func aModifiedLineFailsAtItsSlot() throws {
        let (jsonl, key) = try exported()
        var lines = jsonl.split(separator: "\n").map(String.init)
        lines[6] = lines[6].replacingOccurrences(of: "data 5 of p-x", with: "data 5 of p-y")
        let report = ExportVerifier(trustedPublicKey: key).verify(lines: lines)
        let failure = try #require(report.failure)
        #expect(failure.slot == 5)
        guard case .hashMismatch = failure.reason else {
            Issue.record("expected a hash mismatch, got \(failure)")
            return
        }
    }

    @Test func aMissingLineIsAGap() throws {
        let (jsonl, _) = try exported()
        var lines = jsonl.split(separator: "\n").map(String.init)
        lines.remove(at: 4)
        let report = ExportVerifier().verify(lines: lines)
        #expect(report.failure == ChainFailure(process: "p-x", slot: 4, reason: .slotGap(expected: 3)))
    }

    @Test func aTruncatedExportEndsInAnUnsignedTail() throws {
        let (jsonl, _) = try exported()
        let lines = jsonl.split(separator: "\n").map(String.init)
        // Entries 0–3 were one commit, signed at 3: dropping 3 leaves 0–2 unsigned.
        let report = ExportVerifier().verify(lines: lines.prefix(4))
        #expect(report.failure == ChainFailure(process: "p-x", slot: 0, reason: .unsignedTail(lastSignedSlot: nil)))
    }

    @Test func aResultMovedToAnotherLineIsReported() throws {
        let (jsonl, _) = try exported()
        var lines = jsonl.split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: #""slot":1,"spawns""#, with: #""slot":9,"spawns""#)
        let report = ExportVerifier().verify(lines: lines)
        if case .resultMismatch = report.failure?.reason {
            #expect(report.failure?.slot == 1)
        } else {
            Issue.record("expected a result mismatch, got \(String(describing: report.failure))")
        }
    }

    @Test func anotherNodesKeyOrAGarbledHeaderIsRefused() throws {
        let (jsonl, _) = try exported()
        let untrusted = ExportVerifier(trustedPublicKey: NodeKey().publicKey).verify(jsonl: jsonl)
        if case .untrustedNodeKey = untrusted.failure?.reason {} else {
            Issue.record("expected an untrusted key, got \(String(describing: untrusted.failure))")
        }
        let garbled = ExportVerifier().verify(jsonl: "{\"format\":1}\n")
        if case .unreadable = garbled.failure?.reason {} else {
            Issue.record("expected an unreadable header, got \(String(describing: garbled.failure))")
        }
        #expect(!ExportVerifier().verify(jsonl: "").isValid)
    }
}
