/// One AO tag as the ledger stores it. Tags are a list: names may repeat, order is kept.
public struct TagRecord: Codable, Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// The same, with labels (as Codable and JSON name the fields).
    public init(name: String, value: String) {
        self.init(name, value)
    }
}
