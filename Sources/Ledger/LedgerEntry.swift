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
