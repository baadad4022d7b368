import Identity
import Foundation

/// A process's persisted heap after handling `slot` (LuaVM's persist format, opaque here).
public struct SnapshotRecord: Hashable, Sendable {
    public var process: String
    public var slot: Int64
    public var bytes: Data
    /// The state hash the cluster computed for this state (compared on replay).
    public var stateHash: Data

    public init(process: String, slot: Int64, bytes: Data, stateHash: Data) {
        self.process = process
        self.slot = slot
        self.bytes = bytes
        self.stateHash = stateHash
    }
}

extension SnapshotRecord: Codable {
    enum CodingKeys: String, CodingKey { case process, slot, bytes, stateHash }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        process = try c.decode(String.self, forKey: .process)
        slot = try c.decode(Int64.self, forKey: .slot)
        bytes = try c.decodeBase64URL(forKey: .bytes)
        stateHash = try c.decodeBase64URL(forKey: .stateHash)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(process, forKey: .process)
        try c.encode(slot, forKey: .slot)
        try c.encode(Base64URL.encode(bytes), forKey: .bytes)
        try c.encode(Base64URL.encode(stateHash), forKey: .stateHash)
    }
}
