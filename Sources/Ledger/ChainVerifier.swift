import Foundation

/// Checks a process's log one entry at a time, in constant memory: slots gap-free,
/// every link recomputed, every present signature valid, and no unsigned tail.
public struct ChainVerifier: Sendable {
    public let process: ProcessRecord
    public let publicKey: Data
    private var expectedSlot: Int64
    private var expectedPrevious: Data
    private var firstUnsigned: Int64?
    private var result: ChainVerification

    /// `head` is a trusted link to continue from; nil starts at slot 0 from the genesis.
    public init(process: ProcessRecord, publicKey: Data, after head: ChainHead? = nil) {
        self.process = process
        self.publicKey = publicKey
        expectedSlot = head.map { $0.slot + 1 } ?? 0
        expectedPrevious = head?.hashChain ?? HashChain.genesis(of: process)
        result = ChainVerification(process: process.id, verifiedCount: 0, head: head,
                                   lastSignedSlot: nil, signatureCount: 0, failure: nil)
    }

    /// The first failure so far.
    public var failure: ChainFailure? { result.failure }

    /// Checks the next entry; returns the failure if this entry (or an earlier one) is bad.
    @discardableResult
    public mutating func check(_ record: AssignmentRecord) -> ChainFailure? {
        if let failure = result.failure { return failure }
        if let reason = reasonToReject(record) {
            return fail(slot: record.slot, reason)
        }
        if record.signature.isEmpty {
            if firstUnsigned == nil { firstUnsigned = record.slot }
        } else {
            firstUnsigned = nil
            result.lastSignedSlot = record.slot
            result.signatureCount += 1
        }
        expectedSlot = record.slot + 1
        expectedPrevious = record.hashChain
        result.verifiedCount += 1
        result.head = record.head
        return nil
    }

    /// Records a failure found outside the chain itself (an unreadable row or line).
    @discardableResult
    public mutating func fail(slot: Int64, _ reason: ChainFailure.Reason) -> ChainFailure {
        if let failure = result.failure { return failure }
        let failure = ChainFailure(process: process.id, slot: slot, reason: reason)
        result.failure = failure
        return failure
    }

    /// The slot the next entry must have.
    public var nextSlot: Int64 { expectedSlot }

    /// Ends the check: fails if the last entries are not covered by a signature.
    public func finish() -> ChainVerification {
        var final = result
        if final.failure == nil, let unsigned = firstUnsigned {
            final.failure = ChainFailure(process: process.id, slot: unsigned,
                                         reason: .unsignedTail(lastSignedSlot: final.lastSignedSlot))
        }
        return final
    }

    private func reasonToReject(_ record: AssignmentRecord) -> ChainFailure.Reason? {
        if record.process != process.id { return .wrongProcess(found: record.process) }
        if record.slot != expectedSlot { return .slotGap(expected: expectedSlot) }
        if record.previousHash != expectedPrevious {
            return .previousHashMismatch(expected: expectedPrevious, found: record.previousHash)
        }
        let computed = HashChain.link(record)
        if computed != record.hashChain {
            return .hashMismatch(computed: computed, stored: record.hashChain)
        }
        if !record.signature.isEmpty,
           !NodeKey.verify(signature: record.signature, hashChain: record.hashChain, publicKey: publicKey) {
            return .badSignature
        }
        return nil
    }
}
