import Foundation

/// The last stored entry of a process's log: where the next slot must link to.
public struct ChainHead: Codable, Hashable, Sendable {
    public var process: String
    public var slot: Int64
    public var hashChain: Data

    public init(process: String, slot: Int64, hashChain: Data) {
        self.process = process
        self.slot = slot
        self.hashChain = hashChain
    }

    /// The slot the next assignment of this process takes.
    public var nextSlot: Int64 { slot + 1 }
}
