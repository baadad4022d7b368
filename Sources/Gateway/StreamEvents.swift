import Cluster
import Foundation
import HTTP

/// What a process's stream carries, derived from its durable results: each message it
/// sent to something that is not a process (a person's address: the client-facing
/// feed), then what it printed, then its error. Event ids are `<slot>.<n>`, n counting
/// the slot's events from 0, so `Last-Event-ID` names an exact resume point.
struct StreamCursor: Equatable, Comparable {
    var slot: Int64
    /// The last event index delivered within `slot`; -1: none of that slot yet.
    var index: Int

    /// Parses `<slot>.<n>`; nil for anything else.
    init?(eventID: String) {
        let parts = eventID.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let slot = Int64(parts[0]), let index = Int(parts[1]), slot >= 0, index >= 0 else {
            return nil
        }
        self.init(slot: slot, index: index)
    }

    init(slot: Int64, index: Int) {
        self.slot = slot
        self.index = index
    }

    static func < (a: StreamCursor, b: StreamCursor) -> Bool {
        (a.slot, a.index) < (b.slot, b.index)
    }
}

enum StreamEvents {
    /// Every event names the slot that caused it: which process, which slot, who sent
    /// that slot's message and its Action (a cron tick comes from the process itself).
    struct Cause {
        var process: String
        var slot: Int64
        var from: String
        var action: String?
    }

    struct MessageEvent: Encodable {
        var process: String
        var slot: Int64
        var from: String
        var action: String?
        var Target: String?
        var Tags: [Tag]
        var Data: String
    }

    struct TextEvent: Encodable {
        var process: String
        var slot: Int64
        var from: String
        var action: String?
        var text: String
    }

    /// The events of one slot, in order, as server-sent events.
    static func events(_ cause: Cause, result: MessageResult, isProcess: (String) -> Bool) -> [ServerSentEvent] {
        let (process, slot, from, action) = (cause.process, cause.slot, cause.from, cause.action)
        var events: [ServerSentEvent] = []
        func add(_ kind: String, _ json: String) {
            events.append(ServerSentEvent(id: "\(slot).\(events.count)", event: kind, data: json))
        }
        for message in result.messages where !message.isPatch {
            if let target = message.target, isProcess(target) { continue }
            add("message", WireJSON.encode(MessageEvent(process: process, slot: slot, from: from, action: action, Target: message.target,
                                                        Tags: message.tags, Data: message.data)))
        }
        if !result.output.isEmpty {
            add("output", WireJSON.encode(TextEvent(process: process, slot: slot, from: from, action: action, text: result.output)))
        }
        if let error = result.error {
            add("error", WireJSON.encode(TextEvent(process: process, slot: slot, from: from, action: action, text: error)))
        }
        return events
    }
}
