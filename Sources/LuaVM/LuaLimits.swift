/// What one process may consume.
public struct LuaLimits: Equatable, Sendable {
    /// Bytes the state may hold; 0 means no cap.
    public var memoryBytes: Int
    /// VM instructions one call (one message) may run; 0 means no budget.
    public var instructionsPerCall: Int64

    public init(memoryBytes: Int = 256 << 20, instructionsPerCall: Int64 = 100_000_000) {
        self.memoryBytes = memoryBytes
        self.instructionsPerCall = instructionsPerCall
    }

    public static let `default` = LuaLimits()
}
