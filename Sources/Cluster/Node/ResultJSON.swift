import Foundation
import Ledger

/// Results' outboxes as stored in the ledger: a JSON list with one object per message,
/// `{Data, Tags, Target}` (keys sorted, Target absent for a spawn). A message whose
/// Data (64 bytes or more) repeats an earlier one's in the same list stores
/// `{"DataOf": i, …}` instead, i the index of that earlier message: a sector's tick
/// sends every player the same ~1.6 KB view, and storing it once per result instead of
/// once per player is about a third of a game tick's bytes (docs/LEDGER.md).
/// Written by hand: it runs for every slot.
enum ResultJSON {
    /// Shorter Data is written out: a reference would save little.
    static let smallestShared = 64

    static func encode(_ messages: [OutboundMessage]) -> String {
        guard !messages.isEmpty else { return "[]" }
        var out: [UInt8] = []
        out.reserveCapacity(messages.count * 160)
        out.append(UInt8(ascii: "["))
        var shared: [(data: String, index: Int)] = []   // the first message with each long Data
        for (i, message) in messages.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            if let first = firstWithData(message.data, in: &shared, index: i) {
                out.append(contentsOf: #""DataOf":"#.utf8)
                out.append(contentsOf: String(first).utf8)
            } else {
                out.append(contentsOf: #""Data":"#.utf8)
                JSONString.append(message.data, to: &out)
            }
            out.append(contentsOf: #","Tags":"#.utf8)
            appendTags(message.tags, to: &out)
            if let target = message.target {
                out.append(contentsOf: #","Target":"#.utf8)
                JSONString.append(target, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The index of the first message with this Data, when it is long and came before;
    /// else nil, noting it as a first when long. A result holds few distinct long Data
    /// values (a sector's tick: one), so a scan beats hashing ~1.6 KB per message.
    private static func firstWithData(_ data: String, in shared: inout [(data: String, index: Int)],
                                      index: Int) -> Int? {
        let length = data.utf8.count
        guard length >= smallestShared else { return nil }
        if let first = shared.first(where: { $0.data.utf8.count == length && $0.data == data }) {
            return first.index
        }
        shared.append((data, index))
        return nil
    }

    /// A tag list as `[{"name":…,"value":…}, …]` (also the environment's Process.Tags).
    static func appendTags(_ tags: [Tag], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, tag) in tags.enumerated() {
            out.append(contentsOf: (i == 0 ? #"{"name":"# : #",{"name":"#).utf8)
            JSONString.append(tag.name, to: &out)
            out.append(contentsOf: #","value":"#.utf8)
            JSONString.append(tag.value, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// The messages of `encode`'s JSON (and of results stored before `DataOf` existed);
    /// none when it is not such a list.
    static func decode(_ json: String) -> [OutboundMessage] {
        guard json != "[]",
              let stored = try? JSONDecoder().decode([Stored].self, from: Data(json.utf8)) else { return [] }
        var messages: [OutboundMessage] = []
        messages.reserveCapacity(stored.count)
        for entry in stored {
            var data = entry.data ?? ""
            if let first = entry.dataOf {
                guard first >= 0, first < messages.count else { return [] }
                data = messages[first].data
            }
            messages.append(OutboundMessage(target: entry.target, tags: entry.tags ?? [], data: data))
        }
        return messages
    }

    private struct Stored: Decodable {
        var data: String?
        var dataOf: Int?
        var tags: [Tag]?
        var target: String?

        enum CodingKeys: String, CodingKey { case data = "Data", dataOf = "DataOf", tags = "Tags", target = "Target" }
    }
}
