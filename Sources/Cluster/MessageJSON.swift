import Foundation

/// The hot path's JSON: a message written by hand (Foundation's JSONEncoder costs
/// tens of microseconds a message) and a result read with JSONSerialization.
enum MessageJSON {
    /// The message as the prelude reads it; the same fields as `Message.CodingKeys`.
    static func encode(_ m: Message) -> String {
        var out = "{\"Block-Height\":\(m.blockHeight),"
        if m.cron == true { out += "\"Cron\":true," }
        out += "\"Data\":"; appendString(m.data, to: &out)
        out += ",\"From\":"; appendString(m.from, to: &out)
        if let chain = m.hashChain { out += ",\"Hash-Chain\":"; appendString(chain, to: &out) }
        out += ",\"Id\":"; appendString(m.id, to: &out)
        out += ",\"Owner\":"; appendString(m.owner, to: &out)
        out += ",\"Slot\":\(m.slot),\"Tags\":["
        for (i, tag) in m.tags.enumerated() {
            out += i == 0 ? "{\"name\":" : ",{\"name\":"
            appendString(tag.name, to: &out)
            out += ",\"value\":"
            appendString(tag.value, to: &out)
            out += "}"
        }
        out += "],\"Target\":"; appendString(m.target, to: &out)
        out += ",\"Timestamp\":\(m.timestamp)}"
        return out
    }

    static func appendString(_ s: String, to out: inout String) {
        out.unicodeScalars.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.unicodeScalars.append("\"")
    }

    /// Reads the prelude's result; throws on anything that is not one.
    static func decodeResult(_ json: String) throws -> MessageResult {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw MalformedResult("not an object")
        }
        var result = MessageResult(output: object["Output"] as? String ?? "")
        result.messages = try outbound(object["Messages"])
        result.spawns = try outbound(object["Spawns"])
        for item in object["Assignments"] as? [[String: Any]] ?? [] {
            result.assignments.append(Assignment(processes: item["Processes"] as? [String] ?? [],
                                                 message: item["Message"] as? String ?? ""))
        }
        result.error = object["Error"] as? String
        return result
    }

    private static func outbound(_ value: Any?) throws -> [OutboundMessage] {
        guard let list = value as? [[String: Any]] else {
            if value == nil { return [] }
            throw MalformedResult("Messages/Spawns must be lists")
        }
        return try list.map { item in
            let tags = try (item["Tags"] as? [[String: Any]] ?? []).map { tag -> Tag in
                guard let name = tag["name"] as? String, let value = tag["value"] as? String else {
                    throw MalformedResult("a tag must have a string name and value")
                }
                return Tag(name, value)
            }
            return OutboundMessage(target: item["Target"] as? String, tags: tags, data: item["Data"] as? String ?? "")
        }
    }

    struct MalformedResult: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
