internal import Crypto
import Foundation

/// The per-process hash chain, exactly as docs/LEDGER.md specifies it:
///
///     genesis(P)     = SHA-256(canonical bytes of P's ProcessRecord)
///     hashChain(s)   = SHA-256(previousHash(s) ‖ canonical bytes of assignment s)
///     previousHash(0) = genesis(P), previousHash(s) = hashChain(s − 1)
///     signature(s)   = Ed25519(node key, "starlane/hash-chain/1" framed ‖ hashChain(s))
///
/// The cluster uses it to compute links before it submits; the writer recomputes every
/// link it stores that was not computed by `AssignmentRecord`'s linking init (and left
/// unchanged since); verifiers use `ChainVerifier`.
public enum HashChain {
    /// Every hash in the chain is a SHA-256 digest.
    public static let hashSize = 32
    /// Ed25519 signatures are 64 bytes.
    public static let signatureSize = 64

    static let processDomain = "starlane/process/1"
    static let assignmentDomain = "starlane/assignment/1"
    static let signatureDomain = "starlane/hash-chain/1"

    /// The `previousHash` of slot 0: a hash of the process record, so that a signature
    /// on any link also vouches for the process's module, owner and spawn tags.
    public static func genesis(of process: ProcessRecord) -> Data {
        Data(SHA256.hash(data: canonicalBytes(of: process)))
    }

    /// The canonical bytes of a process record (docs/LEDGER.md, "Canonical bytes").
    public static func canonicalBytes(of process: ProcessRecord) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.string(processDomain)
        encoder.string(process.id)
        encoder.string(process.moduleID)
        encoder.string(process.owner)
        encoder.tags(process.tags)
        if let parent = process.parent {
            encoder.byte(1)
            encoder.string(parent)
        } else {
            encoder.byte(0)
        }
        encoder.int64(process.createdAt)
        return encoder.bytes
    }

    /// The canonical bytes of an assignment: everything but the hashes and signature.
    public static func canonicalBytes(of record: AssignmentRecord) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 160 + record.data.utf8.count)
        encode(record, into: &encoder)
        return encoder.bytes
    }

    static func encode(_ record: AssignmentRecord, into encoder: inout CanonicalEncoder) {
        encoder.string(assignmentDomain)
        encoder.string(record.process)
        encoder.int64(record.slot)
        encoder.string(record.messageID)
        encoder.string(record.from)
        encoder.string(record.owner)
        encoder.tags(record.tags)
        encoder.string(record.data)
        encoder.int64(record.timestamp)
        if let origin = record.origin {
            encoder.byte(1)
            encoder.string(origin.process)
            encoder.int64(origin.slot)
            encoder.int64(origin.index)
        } else {
            encoder.byte(0)
        }
    }

    /// The `hashChain` that `record` must carry, given its `previousHash`.
    public static func link(_ record: AssignmentRecord) -> Data {
        var encoder = CanonicalEncoder(capacity: 200 + record.data.utf8.count)
        return link(record, using: &encoder)
    }

    /// `link(_:)` with a caller's buffer, reused from row to row by the writer.
    static func link(_ record: AssignmentRecord, using encoder: inout CanonicalEncoder) -> Data {
        encoder.reset()
        encoder.raw(record.previousHash)
        encode(record, into: &encoder)
        return SHA256.hash(data: encoder.bytes).withUnsafeBytes { Data($0) }
    }

    /// The bytes the node signs for one link.
    public static func signedMessage(hashChain: Data) -> Data {
        var encoder = CanonicalEncoder(capacity: 64)
        encoder.string(signatureDomain)
        encoder.raw(hashChain)
        return Data(encoder.bytes)
    }

    /// Checks `records` (consecutive slots of one process) against the process record and
    /// the node's public key. `after` is the trusted head the first record links to; nil
    /// means the records start at slot 0. Reports the first bad slot with its reason.
    public static func verify(_ records: [AssignmentRecord], of process: ProcessRecord,
                              publicKey: Data, after head: ChainHead? = nil) -> ChainVerification {
        var verifier = ChainVerifier(process: process, publicKey: publicKey, after: head)
        for record in records {
            if verifier.check(record) != nil { break }
        }
        return verifier.finish()
    }
}
