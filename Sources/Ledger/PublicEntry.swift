/// One key of a process's public state (HyperBEAM's `patch@1.0`): a JSON value the
/// process chose to expose, served read-only at `GET /{pid}/now/{key}`. Written in the
/// same batch as the slot that set it, so it is never ahead of the durable log.
public struct PublicEntry: Codable, Hashable, Sendable {
    public var process: String
    public var key: String
    /// JSON text.
    public var value: String
    /// The slot that set it.
    public var slot: Int64

    public init(process: String, key: String, value: String, slot: Int64) {
        self.process = process
        self.key = key
        self.value = value
        self.slot = slot
    }
}
