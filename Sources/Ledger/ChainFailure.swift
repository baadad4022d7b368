import Identity
import Foundation

/// Why a log entry does not verify, with the process and slot where it was found.
public struct ChainFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The entry belongs to another process than the log being checked.
        case wrongProcess(found: String)
        /// The entry's slot is not the next one: logs are gap-free from slot 0.
        case slotGap(expected: Int64)
        /// `previousHash` is not the hash of the entry before (or the genesis).
        case previousHashMismatch(expected: Data, found: Data)
        /// `hashChain` is not SHA-256(previousHash ‖ canonical bytes): a field was changed.
        case hashMismatch(computed: Data, stored: Data)
        /// A signature is present but is not the node key's signature of `hashChain`.
        case badSignature
        /// The last entries carry no signature, so nothing vouches for them.
        case unsignedTail(lastSignedSlot: Int64?)
        /// The entry could not be read (a corrupt row or export line).
        case unreadable(String)
        /// A result line does not belong to the assignment it follows.
        case resultMismatch(String)
        /// The process is not known (no process record, or a header for another process).
        case unknownProcess
        /// The export's node key is not the one the verifier was told to trust.
        case untrustedNodeKey(found: String)
    }

    public var process: String
    public var slot: Int64
    public var reason: Reason

    public init(process: String, slot: Int64, reason: Reason) {
        self.process = process
        self.slot = slot
        self.reason = reason
    }

    public var description: String {
        let at = "process \(process) slot \(slot)"
        switch reason {
        case .wrongProcess(let found):
            return "\(at): the entry belongs to process \(found)"
        case .slotGap(let expected):
            return "\(at): expected slot \(expected) (logs are gap-free)"
        case .previousHashMismatch(let expected, let found):
            return "\(at): previousHash \(Base64URL.encode(found)) does not continue the chain "
                + "(expected \(Base64URL.encode(expected)))"
        case .hashMismatch(let computed, let stored):
            return "\(at): hashChain \(Base64URL.encode(stored)) is not the hash of the entry "
                + "(computed \(Base64URL.encode(computed))): the entry was altered"
        case .badSignature:
            return "\(at): the signature is not the node key's signature of hashChain"
        case .unsignedTail(let lastSigned):
            let since = lastSigned.map { "after slot \($0)" } ?? "at all"
            return "\(at): entries from this slot on are not covered by a signature (none \(since))"
        case .unreadable(let detail):
            return "\(at): unreadable entry: \(detail)"
        case .resultMismatch(let detail):
            return "\(at): result does not match its assignment: \(detail)"
        case .unknownProcess:
            return "\(at): unknown process"
        case .untrustedNodeKey(let found):
            return "\(at): signed by node \(found), not by the trusted node key"
        }
    }
}

/// The outcome of checking a run of log entries.
public struct ChainVerification: Hashable, Sendable {
    public var process: String
    /// Entries checked and found good.
    public var verifiedCount: Int
    /// The last good link (nil if none was checked and no trusted head was given).
    public var head: ChainHead?
    /// The last slot whose signature verified.
    public var lastSignedSlot: Int64?
    /// Signatures checked.
    public var signatureCount: Int
    /// The first problem, if any; nothing after it was checked.
    public var failure: ChainFailure?

    public var isValid: Bool { failure == nil }
}
