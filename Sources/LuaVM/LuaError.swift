/// A failure reported by a Lua state. Lua errors never cross into Swift as
/// longjmps: the C glue catches them and this is what arrives.
public struct LuaError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// The code raised an error (`error(...)`, a type error, ...).
        case runtime
        /// The source did not compile.
        case syntax
        /// The per-call instruction budget ran out (an endless loop).
        case instructionBudget
        /// The state's memory cap was hit (a memory bomb).
        case memoryLimit
        /// The error handler itself failed.
        case errorHandler
        /// A call made without counting instructions could not finish that way: the
        /// heap must be restored and the call made again, counted (`LuaState.handle`).
        case mustCount
        /// The state could not be created.
        case creation
    }

    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The first line of the message, without the traceback.
    public var summary: String {
        message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? message
    }
}
