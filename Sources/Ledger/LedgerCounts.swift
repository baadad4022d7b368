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
