import Client
import Foundation
import LuaVM

/// One message a bot wants to send its player process: an order's tags (Action first)
/// and Data (the text of a Say).
public struct BotOrder: Codable, Equatable, Sendable {
    public var tags: [ClientTag]
    public var data: String

    public init(tags: [ClientTag], data: String = "") {
        self.tags = tags
        self.data = data
    }

    /// The order's Action.
    public var action: String { tags.first { $0.name == "Action" }?.value ?? "" }
}

/// What one event of the player's feed made the script do.
public struct BotStep: Decodable, Equatable, Sendable {
    /// Messages to send to the player process, in order.
    public var orders: [BotOrder]
    /// Sentences about what went wrong in the script (a failing on_update, a malformed
    /// order): the script keeps running.
    public var problems: [String]
    /// What the script printed.
    public var printed: [String]
}

/// A bot that cannot run: its script does not load, or a call ran out of its budget
/// or memory (which the script cannot catch).
public struct BotError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The script does not compile or its top level fails.
        case load
        /// A call ran past its instruction budget (an endless loop?).
        case budget
        /// A call hit the memory cap (a memory bomb?).
        case memory
        /// Anything else (a bug in the host's glue).
        case internalError
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// One bot script in its own sandboxed Lua state, fed the events of its player's client
/// feed (docs/BOTS.md). Every call runs under the state's instruction budget and memory
/// cap: an endless loop or a memory bomb fails that call with a `BotError` and the host
/// goes on. Confined to one thread at a time, like the `LuaState` it owns.
public final class BotRuntime {
    /// Limits of an outside bot: 64 MiB, 20 million instructions per event.
    public static let defaultLimits = LuaLimits(memoryBytes: 64 << 20, instructionsPerCall: 20_000_000)

    /// The script's name in error messages (`miner.lua:12: ...`).
    public let name: String
    private let state: LuaState

    /// What the outside host adds to the library: `print` (collected per call, as a
    /// process's Output) and the entry point the host calls.
    static let glue = #"""
        local printed = {}
        function print(...)
          local parts = {}
          for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
          printed[#printed + 1] = table.concat(parts, "\t")
        end
        bot = require("bot")
        function __bot_step(kind, payload)
          printed = {}
          local out = bot.handle(kind, payload)
          out.printed = printed
          return out
        end
        """#

    /// Loads `script`: a syntax error, or an error, endless loop or memory bomb at its
    /// top level, throws `BotError(kind: .load)` with Lua's message.
    public init(script: String, name: String = "bot.lua", limits: LuaLimits = BotRuntime.defaultLimits) throws(BotError) {
        self.name = name
        do {
            state = try LuaState(limits: limits)
            try state.preload(name: "bot", source: BotLibrary.source)
            try state.exec(Self.glue, chunkName: "=bot-host")
        } catch {
            throw BotError(kind: .internalError, message: "cannot start a Lua state for \(name): \(error)")
        }
        do {
            try state.exec(script, chunkName: "=" + name)
        } catch let error as LuaError {
            throw BotError(kind: .load, message: "\(name) does not load: \(Self.describe(error))")
        } catch {
            throw BotError(kind: .load, message: "\(name) does not load: \(error)")
        }
    }

    /// Bytes the bot's state holds.
    public var memoryUsed: Int { state.memoryUsed }

    /// Feeds one `Update` (its JSON Data) and returns the orders of `on_update`.
    public func update(_ json: String) throws(BotError) -> BotStep { try handle("update", json) }

    /// Feeds the answer to a `View` order (its JSON Data); the first calls `on_start`.
    public func view(_ json: String) throws(BotError) -> BotStep { try handle("view", json) }

    /// Feeds an `Order-Error` to `on_error`.
    public func orderError(error: String, order: String?, ship: String?, sector: String?) throws(BotError) -> BotStep {
        var payload: [String: String] = ["error": error]
        payload["order"] = order
        payload["ship"] = ship
        payload["sector"] = sector
        return try handle("order-error", Self.json(payload))
    }

    /// Feeds a chat line (kept in `view.chat`).
    public func chat(sector: String?, speaker: Int?, name: String?, text: String) throws(BotError) -> BotStep {
        var payload: [String: Any] = ["text": text]
        payload["sector"] = sector
        payload["speaker"] = speaker
        payload["name"] = name
        return try handle("chat", Self.json(payload))
    }

    /// Feeds one event: `kind` is view, update, order-error or chat; `payload` JSON.
    public func handle(_ kind: String, _ payload: String) throws(BotError) -> BotStep {
        let arguments = "[\(Self.json(kind)),\(payload.isEmpty ? "null" : payload)]"
        let text: String
        do {
            text = try state.callJSON("__bot_step", arguments: arguments)
        } catch let error as LuaError {
            switch error.kind {
            case .instructionBudget:
                throw BotError(kind: .budget, message: "\(name): \(kind) ran past its budget of "
                    + "\(state.limits.instructionsPerCall) instructions (an endless loop?)")
            case .memoryLimit:
                throw BotError(kind: .memory, message: "\(name): \(kind) hit the memory cap of "
                    + "\(state.limits.memoryBytes >> 20) MiB (a memory bomb?)")
            default:
                throw BotError(kind: .internalError, message: "\(name): \(kind) failed: \(Self.describe(error))")
            }
        } catch {
            throw BotError(kind: .internalError, message: "\(name): \(kind) failed: \(error)")
        }
        do {
            return try JSONDecoder().decode(BotStep.self, from: Data(text.utf8))
        } catch {
            throw BotError(kind: .internalError, message: "\(name): unreadable step \(text.prefix(200))")
        }
    }

    /// Lua's message without the traceback's stack lines.
    static func describe(_ error: LuaError) -> String { error.summary }

    static func json(_ value: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

@available(*, unavailable)
extension BotRuntime: Sendable {}
