/// A module: the Lua source a process runs. The id is chosen by the cluster
/// (a content hash of the source); the ledger only stores the pair.
public struct ModuleRecord: Codable, Hashable, Sendable {
    public var id: String
    public var source: String

    public init(id: String, source: String) {
        self.id = id
        self.source = source
    }
}
