import Ledger

/// One AO tag. Tags are a list: names may repeat, order is kept. The same type as the
/// ledger stores, so a message's tags go into its log entry and back without a copy.
public typealias Tag = TagRecord

extension Array where Element == Tag {
    /// The first value of a tag, as aos's `msg.Tags[name]` (first value wins).
    public subscript(tag name: String) -> String? {
        first { $0.name == name }?.value
    }
}

/// A message as a process receives it: assigned to a slot of its target's log.
/// Its JSON form is the one the Lua prelude's `process.handle` reads.
public struct Message: Codable, Equatable, Sendable {
    public var id: String
    public var from: String
    public var owner: String
    public var target: String
    public var tags: [Tag]
    public var data: String
    public var timestamp: Int64
    public var blockHeight: Int64
    public var slot: Int64
    public var hashChain: String?
    public var cron: Bool?

    public init(id: String, from: String, owner: String? = nil, target: String, tags: [Tag],
                data: String = "", timestamp: Int64, blockHeight: Int64 = 0, slot: Int64,
                hashChain: String? = nil, cron: Bool? = nil) {
        self.id = id
        self.from = from
        self.owner = owner ?? from
        self.target = target
        self.tags = tags
        self.data = data
        self.timestamp = timestamp
        self.blockHeight = blockHeight
        self.slot = slot
        self.hashChain = hashChain
        self.cron = cron
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", from = "From", owner = "Owner", target = "Target", tags = "Tags"
        case data = "Data", timestamp = "Timestamp", blockHeight = "Block-Height", slot = "Slot"
        case hashChain = "Hash-Chain", cron = "Cron"
    }
}
