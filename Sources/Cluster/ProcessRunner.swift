import Foundation
import LuaVM

/// Hosts one process in memory for `starlane run` and tests: boots it from a
/// module, turns JSON lines into messages with consecutive slots, and renders
/// each result as one JSON line (docs/RUNNER.md).
public struct ProcessRunner {
    public let process: AOProcess
    /// The clock of the runner: each message is 1 s after the previous one
    /// unless the line names its own Timestamp.
    public private(set) var timestamp: Int64 = 1_700_000_000_000

    public static let defaultOwner = Identifiers.derive("starlane", "developer")

    public init(moduleSource: String, id: String? = nil, owner: String? = nil, limits: LuaLimits = .default) throws {
        let moduleID = Identifiers.module(source: moduleSource)
        let identity = ProcessIdentity(
            id: id ?? Identifiers.derive("run", moduleID),
            owner: owner ?? Self.defaultOwner,
            moduleID: moduleID,
            tags: [Tag("Type", "Process"), Tag("Module", moduleID)])
        process = try AOProcess(identity: identity, moduleSource: moduleSource, limits: limits)
    }

    /// Delivers the spawn message (slot 0), on which the module runs.
    public mutating func boot() -> MessageResult {
        let identity = process.identity
        let spawn = Message(
            id: identity.id, from: identity.owner, target: identity.id,
            tags: identity.tags, timestamp: timestamp, slot: 0)
        return process.handle(spawn)
    }

    /// Handles one message given as a JSON object and returns the result line.
    public mutating func handle(jsonLine: String) throws -> String {
        let message = try parse(jsonLine)
        return Self.render(slot: message.slot, process.handle(message))
    }

    /// Builds the next message from `{"From":..., "Tags":{...} or [{name,value}], "Data":...}`.
    public mutating func parse(_ line: String) throws -> Message {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw RunnerError("a message must be a JSON object")
        }
        let slot = process.nextSlot
        timestamp = (object["Timestamp"] as? NSNumber)?.int64Value ?? timestamp + 1000
        let from = try optionalString(object, "From") ?? process.identity.owner
        let data: String
        switch object["Data"] {
        case nil, is NSNull: data = ""
        case let text as String: data = text
        case let other?:
            data = String(decoding: try JSONSerialization.data(withJSONObject: other, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
        }
        var tags = try Self.tags(object["Tags"])
        for (key, value) in object where !Self.messageFields.contains(key) {
            guard let text = value as? String ?? (value as? NSNumber)?.stringValue else {
                throw RunnerError("field \(key) must be a string or a number")
            }
            tags.append(Tag(key, text))
        }
        let id = try optionalString(object, "Id") ?? Identifiers.derive("run-message", process.identity.id, String(slot))
        return Message(id: id, from: from, owner: try optionalString(object, "Owner"), target: process.identity.id,
                       tags: tags, data: data, timestamp: timestamp, slot: slot,
                       cron: (object["Cron"] as? Bool) == true ? true : nil)
    }

    private static let messageFields: Set<String> = ["From", "Owner", "Tags", "Data", "Timestamp", "Id", "Cron", "Target"]

    private func optionalString(_ object: [String: Any], _ key: String) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw RunnerError("\(key) must be a string") }
        return text
    }

    /// Tags as a map (sorted by name: JSON objects have no order) or as AO's list.
    static func tags(_ value: Any?) throws -> [Tag] {
        switch value {
        case nil, is NSNull:
            return []
        case let map as [String: Any]:
            return try map.keys.sorted().map { key in
                guard let text = map[key] as? String ?? (map[key] as? NSNumber)?.stringValue else {
                    throw RunnerError("tag \(key) must be a string or a number")
                }
                return Tag(key, text)
            }
        case let list as [Any]:
            return try list.map { item in
                guard let pair = item as? [String: Any], let name = pair["name"] as? String,
                      let value = pair["value"] as? String ?? (pair["value"] as? NSNumber)?.stringValue else {
                    throw RunnerError("a tag in a list must be {\"name\": ..., \"value\": ...}")
                }
                return Tag(name, value)
            }
        default:
            throw RunnerError("Tags must be an object or a list of {name, value}")
        }
    }

    /// One output line: Slot, Output, Messages and Spawns (tags as maps, first
    /// value wins), and Error only when the message failed.
    public static func render(slot: Int64, _ result: MessageResult) -> String {
        var object: [String: Any] = [
            "Slot": slot,
            "Output": result.output,
            "Messages": result.messages.map(outbound),
            "Spawns": result.spawns.map(outbound),
        ]
        if let error = result.error { object["Error"] = error }
        return jsonLine(object)
    }

    public static func errorLine(_ message: String) -> String {
        jsonLine(["Error": message])
    }

    private static func outbound(_ message: OutboundMessage) -> [String: Any] {
        var tags: [String: String] = [:]
        for tag in message.tags where tags[tag.name] == nil { tags[tag.name] = tag.value }
        var object: [String: Any] = ["Tags": tags, "Data": message.data]
        if let target = message.target { object["Target"] = target }
        return object
    }

    private static func jsonLine(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

public struct RunnerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
