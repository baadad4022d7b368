import Identity
import Foundation

/// One entry of a process's log: a message assigned to a slot, linked to the entry before
/// it by `previousHash` and `hashChain` (docs/LEDGER.md, "Hash chain").
///
/// `signature` is the node's Ed25519 signature of `hashChain`, or empty: the writer
/// signs at least the last entry of every process in each commit, and a signature over
/// one link vouches for every link before it.
public struct AssignmentRecord: Sendable {
    /// The process whose log this is (the message's target).
    public var process: String { didSet { linkIsCurrent = false } }
    public var slot: Int64 { didSet { linkIsCurrent = false } }
    public var messageID: String { didSet { linkIsCurrent = false } }
    public var from: String { didSet { linkIsCurrent = false } }
    public var owner: String { didSet { linkIsCurrent = false } }
    public var tags: [TagRecord] { didSet { linkIsCurrent = false } }
    public var data: String { didSet { linkIsCurrent = false } }
    /// Milliseconds since the Unix epoch, stamped by the scheduler.
    public var timestamp: Int64 { didSet { linkIsCurrent = false } }
    /// Set when a process emitted this message; nil for messages pushed from outside.
    public var origin: MessageOrigin? { didSet { linkIsCurrent = false } }
    /// The `hashChain` of slot − 1, or `HashChain.genesis(of:)` for slot 0. 32 bytes.
    public var previousHash: Data { didSet { linkIsCurrent = false } }
    /// SHA-256(previousHash ‖ canonical bytes of this entry). 32 bytes.
    public var hashChain: Data { didSet { linkIsCurrent = false } }
    /// 64 bytes, or empty when a later signed entry of the same process vouches for it.
    public var signature: Data
    /// True while `hashChain` is the link the linking init computed from these very
    /// fields (none set since): the writer then does not compute it a second time.
    /// Not part of the record's value (`==` and hashing ignore it).
    private(set) var linkIsCurrent = false

    /// A record with every field given, as read back from storage or an export.
    public init(process: String, slot: Int64, messageID: String, from: String, owner: String,
                tags: [TagRecord], data: String, timestamp: Int64, origin: MessageOrigin?,
                previousHash: Data, hashChain: Data, signature: Data) {
        self.process = process
        self.slot = slot
        self.messageID = messageID
        self.from = from
        self.owner = owner
        self.tags = tags
        self.data = data
        self.timestamp = timestamp
        self.origin = origin
        self.previousHash = previousHash
        self.hashChain = hashChain
        self.signature = signature
    }

    /// A new, unsigned link: `hashChain` is computed from `previousHash` and the fields.
    public init(process: String, slot: Int64, messageID: String, from: String, owner: String,
                tags: [TagRecord], data: String, timestamp: Int64, origin: MessageOrigin? = nil,
                previousHash: Data) {
        self.init(process: process, slot: slot, messageID: messageID, from: from, owner: owner,
                  tags: tags, data: data, timestamp: timestamp, origin: origin,
                  previousHash: previousHash, hashChain: Data(), signature: Data())
        hashChain = HashChain.link(self)
        linkIsCurrent = true
    }

    public var originProcess: String? { origin?.process }
    public var originSlot: Int64? { origin?.slot }
    public var originIndex: Int64? { origin?.index }

    /// This entry as the head of its process's chain.
    public var head: ChainHead { ChainHead(process: process, slot: slot, hashChain: hashChain) }
}

extension AssignmentRecord: Hashable {
    public static func == (a: AssignmentRecord, b: AssignmentRecord) -> Bool {
        a.process == b.process && a.slot == b.slot && a.messageID == b.messageID && a.from == b.from
            && a.owner == b.owner && a.tags == b.tags && a.data == b.data && a.timestamp == b.timestamp
            && a.origin == b.origin && a.previousHash == b.previousHash && a.hashChain == b.hashChain
            && a.signature == b.signature
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(process)
        hasher.combine(slot)
        hasher.combine(hashChain)
    }
}

extension AssignmentRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case process, slot, messageID, from, owner, tags, data, timestamp
        case originProcess, originSlot, originIndex, previousHash, hashChain, signature
    }

    /// Hashes and signatures are written as unpadded base64url strings.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        process = try c.decode(String.self, forKey: .process)
        slot = try c.decode(Int64.self, forKey: .slot)
        messageID = try c.decode(String.self, forKey: .messageID)
        from = try c.decode(String.self, forKey: .from)
        owner = try c.decode(String.self, forKey: .owner)
        tags = try c.decode([TagRecord].self, forKey: .tags)
        data = try c.decode(String.self, forKey: .data)
        timestamp = try c.decode(Int64.self, forKey: .timestamp)
        let originProcess = try c.decodeIfPresent(String.self, forKey: .originProcess)
        let originSlot = try c.decodeIfPresent(Int64.self, forKey: .originSlot)
        let originIndex = try c.decodeIfPresent(Int64.self, forKey: .originIndex)
        switch (originProcess, originSlot, originIndex) {
        case let (process?, slot?, index?):
            origin = MessageOrigin(process: process, slot: slot, index: index)
        case (nil, nil, nil):
            origin = nil
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .originProcess, in: c,
                debugDescription: "originProcess, originSlot and originIndex go together")
        }
        previousHash = try c.decodeBase64URL(forKey: .previousHash)
        hashChain = try c.decodeBase64URL(forKey: .hashChain)
        signature = try c.decodeBase64URL(forKey: .signature)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(process, forKey: .process)
        try c.encode(slot, forKey: .slot)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(from, forKey: .from)
        try c.encode(owner, forKey: .owner)
        try c.encode(tags, forKey: .tags)
        try c.encode(data, forKey: .data)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encodeIfPresent(origin?.process, forKey: .originProcess)
        try c.encodeIfPresent(origin?.slot, forKey: .originSlot)
        try c.encodeIfPresent(origin?.index, forKey: .originIndex)
        try c.encode(Base64URL.encode(previousHash), forKey: .previousHash)
        try c.encode(Base64URL.encode(hashChain), forKey: .hashChain)
        try c.encode(Base64URL.encode(signature), forKey: .signature)
    }
}

extension KeyedDecodingContainer {
    func decodeBase64URL(forKey key: Key) throws -> Data {
        let text = try decode(String.self, forKey: key)
        guard let decoded = Base64URL.decode(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "not base64url: \(text)")
        }
        return Data(decoded)
    }
}
