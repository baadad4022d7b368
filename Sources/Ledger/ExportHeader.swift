import Identity
import Foundation

/// The first line of a process export (docs/LEDGER.md, "Export format").
public struct ExportHeader: Codable, Hashable, Sendable {
    public static let currentFormat = "starlane-ledger-export"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    /// The node's raw Ed25519 public key, base64url.
    public var nodePublicKey: String
    /// base64url(SHA-256(public key)).
    public var nodeID: String
    public var process: ProcessRecord
    /// The process's module, when the ledger has it (needed to replay).
    public var module: ModuleRecord?

    public init(nodePublicKey: Data, process: ProcessRecord, module: ModuleRecord?) {
        format = Self.currentFormat
        version = Self.currentVersion
        self.nodePublicKey = Base64URL.encode(nodePublicKey)
        nodeID = NodeKey.id(ofPublicKey: nodePublicKey)
        self.process = process
        self.module = module
    }
}

enum ExportJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
