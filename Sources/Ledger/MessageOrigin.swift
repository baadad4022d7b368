/// Where an emitted message came from: the `index`-th message sent by `process` while
/// handling its slot `slot`. The ledger keeps at most one assignment per origin, which
/// makes redelivery after a crash idempotent (DESIGN.md, "Exactly once").
public struct MessageOrigin: Codable, Hashable, Sendable, CustomStringConvertible {
    public var process: String
    public var slot: Int64
    public var index: Int64

    public init(process: String, slot: Int64, index: Int64) {
        self.process = process
        self.slot = slot
        self.index = index
    }

    public var description: String { "\(process)/\(slot)#\(index)" }
}
