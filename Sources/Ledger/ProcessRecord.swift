/// A process as spawned: its module, owner and spawn tags. Immutable once recorded;
/// its canonical bytes seed the process's hash chain (`HashChain.genesis(of:)`).
public struct ProcessRecord: Codable, Hashable, Sendable {
    public var id: String
    public var moduleID: String
    public var owner: String
    public var tags: [TagRecord]
    /// The process that spawned this one, if any.
    public var parent: String?
    /// Milliseconds since the Unix epoch, as the scheduler stamped the spawn.
    public var createdAt: Int64

    public init(id: String, moduleID: String, owner: String, tags: [TagRecord] = [],
                parent: String? = nil, createdAt: Int64) {
        self.id = id
        self.moduleID = moduleID
        self.owner = owner
        self.tags = tags
        self.parent = parent
        self.createdAt = createdAt
    }
}
