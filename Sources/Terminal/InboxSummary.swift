import Foundation

/// What `.inbox` shows: the Inbox's size and its last few messages, read by a dry run
/// (nothing is kept, so looking adds no slot to the log).
public struct InboxSummary: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var index: Int
        public var from: String
        public var action: String
        public var data: String
    }

    public var count: Int
    public var messages: [Entry]

    /// Lua that answers this summary as JSON (Data cut at 60 characters, UTF-8 safe).
    public static func query(last count: Int) -> String {
        """
        (function(n) local list = {} local total = #Inbox \
        for i = math.max(1, total - n + 1), total do local m = Inbox[i] local d = m.Data \
        if type(d) ~= "string" then d = json.encode(d) end \
        local cut = utf8.offset(d, 61) if cut then d = d:sub(1, cut - 1) .. "…" end \
        list[#list + 1] = { index = i, from = tostring(m.From or "?"), action = tostring(m.Action or ""), data = d } end \
        return json.encode({ count = total, messages = list }) end)(\(count))
        """
    }

    /// Decodes the query's answer.
    public static func decode(_ output: String) -> InboxSummary? {
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return try? JSONDecoder().decode(InboxSummary.self, from: Data(text.utf8))
    }

    public init(count: Int, messages: [Entry]) {
        self.count = count
        self.messages = messages
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(Int.self, forKey: .count)
        // An empty Lua table encodes as `{}`, not `[]`: that is no messages.
        messages = (try? container.decode([Entry].self, forKey: .messages)) ?? []
    }

    /// One line for the size, one per message.
    public var formatted: String {
        var lines = ["Inbox: \(count) message\(count == 1 ? "" : "s")"]
        for entry in messages {
            let action = entry.action.isEmpty ? "-" : entry.action
            lines.append("  \(entry.index)  From \(Self.short(entry.from))  Action \(action)  Data \(entry.data)")
        }
        return lines.joined(separator: "\n")
    }

    /// `abcdef…wxyz` for a 43-character id, as is otherwise.
    static func short(_ id: String) -> String {
        id.count > 20 ? "\(id.prefix(6))…\(id.suffix(4))" : id
    }
}
