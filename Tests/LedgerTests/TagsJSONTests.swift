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
}
