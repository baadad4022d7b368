import Foundation
import Testing
@testable import Ledger

@Suite struct TagsJSONTests {
    @Test func tagsRoundTripThroughTheirJSONColumn() throws {
        let tags = [TagRecord("Action", "Move"), TagRecord("", ""), TagRecord("q\"b\\s/", "\u{0}\u{1F}\n\r\t\u{7F}"),
                    TagRecord("Ünïcödé", "🚀 \u{2028}"), TagRecord("Action", "Repeat")]
        let json = TagsJSON.encode(tags)
        #expect(try TagsJSON.decode(json) == tags)
        // Foundation agrees that it is JSON of that shape.
        #expect(try JSONDecoder().decode([TagRecord].self, from: Data(json.utf8)) == tags)
        #expect(TagsJSON.encode([]) == "[]")
    }

    @Test func theDecoderAcceptsAnyJSONOfTheShape() throws {
        let json = #" [ { "value" : "a\u00e9\ud83d\ude80\/" , "name":"N" } ] "#
        #expect(try TagsJSON.decode(json) == [TagRecord("N", "aé🚀/")])
        #expect(throws: (any Error).self) { try TagsJSON.decode(#"[{"name":"x"}]"#) }
        #expect(throws: (any Error).self) { try TagsJSON.decode(#"[{"name":"x","value":"y"}"#) }
        #expect(throws: (any Error).self) { try TagsJSON.decode(#"{}"#) }
    }

    @Test func stringsOfEveryKindAreEscapedAsFoundationReadsThem() throws {
        // Runs of plain bytes are copied whole: escapes at the start, the end, side by
        // side and between long runs, in JSON-like text and random bytes.
        var generator = SystemRandomNumberGenerator()
        let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{0}", "\u{1F}", "a", "plain text ",
                      "é", "🚀", "{\"k\":\"v\"}", String(repeating: "x", count: 300)]
        var cases = ["", "\"", "\"\"", "plain", "\\start", "end\n", "{\"a\":1,\"b\":[\"c\"]}"]
        for _ in 0..<500 {
            cases.append((0..<Int.random(in: 1...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        for text in cases {
            var out: [UInt8] = Array("[".utf8)
            JSONString.append(text, to: &out)
            out.append(UInt8(ascii: "]"))
            let decoded = try JSONSerialization.jsonObject(with: Data(out)) as? [String]
            #expect(decoded == [text], "\(text.debugDescription)")
        }
    }
}
