/// What handling one slot produced. Results are not part of the hash chain: they are a
/// pure function of the log and are checked by replaying it.
public struct ResultRecord: Codable, Hashable, Sendable {
    public var process: String
    public var slot: Int64
    /// What the handler printed (aos's `Output`).
    public var output: String
    /// The messages the slot emitted, as the cluster's JSON (an array).
    public var messages: String
    /// The processes the slot spawned, as the cluster's JSON (an array).
    public var spawns: String
    /// The error the handler raised, if it did; then the process state was rolled back.
    public var error: String?

    public init(process: String, slot: Int64, output: String = "", messages: String = "[]",
                spawns: String = "[]", error: String? = nil) {
        self.process = process
        self.slot = slot
        self.output = output
        self.messages = messages
        self.spawns = spawns
        self.error = error
    }
}
