/// One log entry with its result, as recovery replays it and as an export line holds it.
public struct LedgerEntry: Codable, Hashable, Sendable {
    public var assignment: AssignmentRecord
    /// Nil when the entry was stored without a result (the result may come later).
    public var result: ResultRecord?

    public init(assignment: AssignmentRecord, result: ResultRecord? = nil) {
        self.assignment = assignment
        self.result = result
    }
}

/// Row counts and size, for `/~info`.
public struct LedgerCounts: Hashable, Sendable {
    public var modules: Int
    public var processes: Int
    /// Log entries of all processes.
    public var assignments: Int
    public var snapshots: Int
    /// Size of the database file (without its WAL), in bytes.
    public var bytes: Int
}
