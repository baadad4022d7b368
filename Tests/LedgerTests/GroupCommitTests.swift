import Foundation
import Testing
@testable import Ledger

@Suite struct GroupCommitTests {
    @Test func tenThousandSubmitsFromFourThreadsCompleteExactlyOnce() throws {
        let directory = try TemporaryDirectory()
        let names = (0..<4).map { "p-thread-\($0)" }
        let (ledger, chains) = try Fixtures.ledger(in: directory, processes: names)
        defer { ledger.close() }
        let before = ledger.transactionCount
        let perThread = 2_500
        let calls = Counter()
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var chain = chains[thread]
            for n in 0..<perThread {
                let batch = LedgerBatch([chain.append()])
                let key = thread * perThread + n
                while true {
                    do {
                        try ledger.submit(batch) { result in
                            calls.hit(key)
                            if result.failure != nil { failures.hit() }
                        }
                        break
                    } catch {
                        // Back-pressure: the queue is full; let the writer catch up.
                        usleep(200)
                    }
                }
            }
        }
        ledger.flush()
        let counts = calls.all
        #expect(counts.count == 4 * perThread)
        #expect(counts.values.allSatisfy { $0 == 1 })
        #expect(failures.count() == 0)
        let transactions = ledger.transactionCount - before
        #expect(transactions >= 1 && transactions <= 10_000)
        let stats = ledger.statistics
        #expect(stats.batchesRejected == 0)
        #expect(stats.entriesAppended == 10_000)
        #expect(stats.pendingBatches == 0)
        for name in names {
            #expect(try ledger.chainHead(of: name)?.slot == Int64(perThread - 1))
            #expect(try ledger.verify(process: name).isValid)
        }
    }

    @Test func batchesSubmittedWhileTheWriterIsBusyShareOneTransaction() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-g"])
        defer { ledger.close() }
        let gate = WriterGate()
        try gate.close(ledger)
        let outcomes = Outcomes()
        for i in 0..<20 {
            try ledger.submit(LedgerBatch([chains[0].append()]), completion: outcomes.completion(i))
        }
        #expect(ledger.statistics.pendingBatches == 20)
        gate.open()
        ledger.flush()
        let transactions = Set((0..<20).compactMap { outcomes[$0]?.success?.transaction })
        #expect(transactions.count == 1)
        #expect(ledger.statistics.largestGroup == 20)
        // One signature for the one process head of that commit.
        let stored = try ledger.assignments(of: "p-g")
        #expect(stored.filter { !$0.signature.isEmpty }.map(\.slot) == [19])
        #expect(try ledger.verify(process: "p-g").isValid)
    }

    @Test func aGapOrAWrongPreviousHashRejectsOnlyItsBatch() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-1", "p-2"])
        defer { ledger.close() }
        try ledger.write(LedgerBatch([chains[0].append(), chains[1].append()]))

        let gate = WriterGate()
        try gate.close(ledger)
        let outcomes = Outcomes()
        // 0: good. 1: skips a slot of p-1. 2: good, p-2. 3: p-1 slot 2 with a wrong
        // previousHash. 4: good, p-1 slot 2.
        try ledger.submit(LedgerBatch([chains[0].append(), chains[1].append()]), completion: outcomes.completion(0))
        var skipping = chains[0]
        _ = skipping.next()
        try ledger.submit(LedgerBatch([skipping.append(), chains[1].append()]), completion: outcomes.completion(1))
        try ledger.submit(LedgerBatch([chains[1].append()]), completion: outcomes.completion(2))
        var wrongChain = chains[0]
        var wrong = wrongChain.next()
        wrong.previousHash = Data(repeating: 7, count: 32)
        wrong.hashChain = HashChain.link(wrong)
        try ledger.submit(LedgerBatch([.append(wrong, result: nil)]), completion: outcomes.completion(3))
        try ledger.submit(LedgerBatch([chains[0].append()]), completion: outcomes.completion(4))
        gate.open()
        ledger.flush()

        #expect(outcomes[0]?.success?.appended == 2)
        #expect(outcomes[1]?.failure == .chain(ChainFailure(process: "p-1", slot: 3, reason: .slotGap(expected: 2))))
        // Batch 1 also held p-2 slot 2; it was rolled back with its batch, so batch 2's
        // entry (slot 3) no longer continues the chain either.
        if case .chain(let failure) = outcomes[2]?.failure {
            #expect(failure.process == "p-2" && failure.slot == 3 && failure.reason == .slotGap(expected: 2))
        } else {
            Issue.record("batch 2 should have been rejected, got \(String(describing: outcomes[2]))")
        }
        if case .chain(let failure) = outcomes[3]?.failure, case .previousHashMismatch = failure.reason {
            #expect(failure.description.contains("does not continue the chain"))
        } else {
            Issue.record("batch 3 should have been rejected, got \(String(describing: outcomes[3]))")
        }
        #expect(outcomes[4]?.success?.appended == 1)
        #expect(outcomes[0]?.success?.transaction == outcomes[4]?.success?.transaction)
        #expect(try ledger.chainHead(of: "p-1")?.slot == 2)
        #expect(try ledger.chainHead(of: "p-2")?.slot == 1)
        #expect(try ledger.verify(process: "p-1").isValid)
        #expect(try ledger.verify(process: "p-2").isValid)
        #expect(ledger.statistics.batchesRejected == 3)
    }

    @Test func anAlteredLinkIsRejectedBeforeItIsWritten() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-x"])
        defer { ledger.close() }
        var record = chains[0].next()
        record.data = "not what was hashed"
        #expect {
            try ledger.write(LedgerBatch([.append(record, result: nil)]))
        } throws: { error in
            guard case LedgerError.chain(let failure) = error, case .hashMismatch = failure.reason else { return false }
            return failure.slot == 0
        }
        var unknown = ChainBuilder(Fixtures.process("p-unknown"))
        #expect(throws: LedgerError.chain(ChainFailure(process: "p-unknown", slot: 0, reason: .unknownProcess))) {
            try ledger.write(LedgerBatch([unknown.append()]))
        }
        #expect(try ledger.counts().assignments == 0)
    }

    @Test func redeliveringAnOriginIsIdempotentAndReportedAsADuplicate() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-src", "p-dst"])
        defer { ledger.close() }
        let origin = MessageOrigin(process: "p-src", slot: 0, index: 0)
        try ledger.write(LedgerBatch([chains[0].append()]))
        let first = try ledger.write(LedgerBatch([chains[1].append(messageID: "msg-1", origin: origin)]))
        #expect(first.appended == 1 && first.duplicates.isEmpty)

        // Redelivery after a crash: same origin and id, assigned the next slot.
        var redelivery = chains[1]
        let second = try ledger.write(LedgerBatch([redelivery.append(messageID: "msg-1", origin: origin)]))
        #expect(second.appended == 0)
        #expect(second.duplicates.count == 1)
        #expect(second.duplicates.first?.existing.slot == 0)
        #expect(second.duplicates.first?.slot == 1)

        // Same origin under another id is still the same message.
        var other = chains[1]
        let third = try ledger.write(LedgerBatch([other.append(messageID: "msg-other", origin: origin)]))
        #expect(third.duplicates.first?.existing == ChainHead(process: "p-dst", slot: 0,
                                                             hashChain: try ledger.chainHead(of: "p-dst")!.hashChain))

        // Resubmitting the stored entry itself is a duplicate too, not a gap.
        let stored = try ledger.assignments(of: "p-dst")[0]
        let fourth = try ledger.write(LedgerBatch([.append(stored, result: nil)]))
        #expect(fourth.duplicates.map(\.existing.slot) == [0])

        #expect(try ledger.assignments(of: "p-dst").count == 1)
        #expect(try ledger.chainHead(of: "p-dst")?.slot == 0)
        // The skipped slot is still free: the next real message takes it.
        try ledger.write(LedgerBatch([chains[1].append(messageID: "msg-2")]))
        #expect(try ledger.chainHead(of: "p-dst")?.slot == 1)
        #expect(ledger.statistics.duplicatesSkipped == 3)
    }

    @Test func aFullQueueRefusesTheSubmitAndNeverCallsItsCompletion() throws {
        let directory = try TemporaryDirectory()
        var configuration = LedgerConfiguration(durability: .normal)
        configuration.maxPendingWrites = 8
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-q"],
                                                   configuration: configuration)
        defer { ledger.close() }
        let gate = WriterGate()
        try gate.close(ledger)
        let calls = Counter()
        var accepted = 0
        var refusal: LedgerError?
        for i in 0..<20 {
            var chain = chains[0]
            do {
                try ledger.submit(LedgerBatch([chain.append()])) { _ in calls.hit(i) }
                chains[0] = chain
                accepted += 1
            } catch {
                refusal = error
                break
            }
        }
        #expect(accepted == 8)
        #expect(refusal == .queueFull(pendingWrites: 8, limit: 8))
        gate.open()
        ledger.flush()
        #expect(calls.all.count == 8)
        #expect(calls.count(8) == 0)
        // Room again.
        try ledger.write(LedgerBatch([chains[0].append()]))
        #expect(try ledger.chainHead(of: "p-q")?.slot == 8)
    }

    @Test func closeWaitsForPendingBatches() throws {
        let directory = try TemporaryDirectory()
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-c"])
        let calls = Counter()
        for _ in 0..<100 {
            try ledger.submit(LedgerBatch([chains[0].append()])) { result in
                if result.success != nil { calls.hit() }
            }
        }
        ledger.close()
        #expect(calls.count() == 100)
        let reopened = try Ledger(path: directory.databasePath)
        defer { reopened.close() }
        #expect(try reopened.chainHead(of: "p-c")?.slot == 99)
    }

    @Test func everyEntrySigningSignsEachEntry() throws {
        let directory = try TemporaryDirectory()
        var configuration = LedgerConfiguration(durability: .normal)
        configuration.signing = .everyEntry
        var (ledger, chains) = try Fixtures.ledger(in: directory, processes: ["p-e"],
                                                   configuration: configuration)
        defer { ledger.close() }
        try ledger.write(LedgerBatch((0..<5).map { _ in chains[0].append() }))
        let verification = try ledger.verify(process: "p-e")
        #expect(verification.isValid && verification.signatureCount == 5)
    }
}
