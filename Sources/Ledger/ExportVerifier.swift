import Identity
internal import Crypto
import Foundation

/// Checks a JSON-lines export without the database: the header, every link of the
/// chain, every signature against the header's node key, the signed tail, and that each
/// result belongs to its entry. (Replaying the Lua is the cluster's job.)
///
/// Without `trustedPublicKey` it proves only that the export is what the node in its
/// header signed; compare `header.nodeID` with the node you trust.
public struct ExportVerifier: Sendable {
    public var trustedPublicKey: Data?

    public init(trustedPublicKey: Data? = nil) {
        self.trustedPublicKey = trustedPublicKey
    }

    /// The outcome of verifying one export.
    public struct Report: Hashable, Sendable {
        public var header: ExportHeader?
        /// The chain check (its failure also holds header and line problems).
        public var chain: ChainVerification
        public var entries: Int
        public var results: Int
        /// Whether the header's module id is the content address of its source
        /// (base64url(SHA-256(source))); nil when the export has no module.
        public var moduleMatchesID: Bool?

        public var failure: ChainFailure? { chain.failure }
        public var isValid: Bool { chain.isValid }
    }

    public func verify(jsonl: String) -> Report {
        verify(lines: jsonl.split(separator: "\n", omittingEmptySubsequences: true))
    }

    public func verify<Lines: Sequence>(lines: Lines) -> Report where Lines.Element: StringProtocol {
        let decoder = JSONDecoder()
        var iterator = lines.makeIterator()
        var lineNumber = 1
        func headerFailure(_ detail: String, process: String = "") -> Report {
            let failure = ChainFailure(process: process, slot: -1, reason: .unreadable("line 1: \(detail)"))
            return Report(header: nil, chain: ChainVerification(
                process: process, verifiedCount: 0, head: nil, lastSignedSlot: nil,
                signatureCount: 0, failure: failure), entries: 0, results: 0, moduleMatchesID: nil)
        }
        guard let first = iterator.next() else { return headerFailure("empty export") }
        let header: ExportHeader
        do {
            header = try decoder.decode(ExportHeader.self, from: Data(first.utf8))
        } catch {
            return headerFailure("not an export header: \(error)")
        }
        guard header.format == ExportHeader.currentFormat, header.version == ExportHeader.currentVersion else {
            return headerFailure("unsupported format \(header.format) version \(header.version)",
                                 process: header.process.id)
        }
        guard let publicKey = Base64URL.decode(header.nodePublicKey).map({ Data($0) }), publicKey.count == 32,
              NodeKey.id(ofPublicKey: publicKey) == header.nodeID else {
            return headerFailure("the node public key is malformed or does not match the node id",
                                 process: header.process.id)
        }
        var report = Report(header: header, chain: ChainVerification(
            process: header.process.id, verifiedCount: 0, head: nil, lastSignedSlot: nil,
            signatureCount: 0, failure: nil), entries: 0, results: 0, moduleMatchesID: nil)
        if let module = header.module {
            report.moduleMatchesID = module.id == header.process.moduleID
                && Base64URL.encode(Data(SHA256.hash(data: Data(module.source.utf8)))) == module.id
        }
        var verifier = ChainVerifier(process: header.process, publicKey: publicKey)
        if let trusted = trustedPublicKey, trusted != publicKey {
            verifier.fail(slot: -1, .untrustedNodeKey(found: header.nodeID))
            report.chain = verifier.finish()
            return report
        }
        while let line = iterator.next() {
            lineNumber += 1
            let entry: LedgerEntry
            do {
                entry = try decoder.decode(LedgerEntry.self, from: Data(line.utf8))
            } catch {
                verifier.fail(slot: verifier.nextSlot, .unreadable("line \(lineNumber): \(error)"))
                break
            }
            if verifier.check(entry.assignment) != nil { break }
            report.entries += 1
            if let result = entry.result {
                guard result.process == entry.assignment.process, result.slot == entry.assignment.slot else {
                    verifier.fail(slot: entry.assignment.slot, .resultMismatch(
                        "line \(lineNumber) holds the result of \(result.process) slot \(result.slot)"))
                    break
                }
                report.results += 1
            }
        }
        report.chain = verifier.finish()
        return report
    }
}
