import Foundation
import Ledger

/// Public state through HyperBEAM's patch device: a process sends
/// `Send({device = "patch@1.0", leaderboard = Board})` and every other tag becomes a
/// key of its public state (`GET /{pid}/now/leaderboard`). Such a message is not routed;
/// it is stored with the slot that sent it, in the same batch, so `/now` never shows
/// state from a slot that is not durable.
enum PublicState {
    static let device = "patch@1.0"
    /// Tags every `Send` carries (or that address the message), not state.
    static let envelope: Set<String> = [
        "device", "data-protocol", "variant", "type", "reference", "content-type", "target",
    ]

    static func entries(of result: MessageResult, process: String, slot: Int64) -> [PublicEntry] {
        var entries: [PublicEntry] = []
        for message in result.messages where message.isPatch {
            for tag in message.tags where !envelope.contains(tag.name.lowercased()) {
                entries.append(PublicEntry(process: process, key: tag.name, value: jsonValue(tag.value), slot: slot))
            }
        }
        return entries
    }

    /// The tag value as JSON: itself when it is JSON (tables arrive JSON-encoded),
    /// else a JSON string.
    static func jsonValue(_ text: String) -> String {
        if let first = text.utf8.first(where: { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }),
           first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"")
            || first == UInt8(ascii: "-") || (first >= 48 && first <= 57) || text == "true" || text == "false" || text == "null",
           (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil {
            return text
        }
        let encoded = try? JSONEncoder().encode(text)
        return encoded.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}

extension OutboundMessage {
    /// A `device = patch@1.0` message sets public state; it goes to no process.
    public var isPatch: Bool {
        // The value first: it rarely matches, and lowercasing every tag name is not free.
        tags.contains { $0.value == PublicState.device && $0.name.lowercased() == "device" }
    }
}

/// A slot made durable, as the node tells its observer (the gateway's streams).
public struct CommittedSlot: Sendable {
    public var process: String
    public var slot: Int64
    public var messageID: String
    /// Who sent the message (the process itself for a cron tick), and its Action.
    public var from: String
    public var action: String?
    public var result: MessageResult
}
