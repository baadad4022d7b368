@testable import Cluster
import Foundation
import Ledger
import Testing

/// How results' outboxes are stored: one JSON object per message, a long Data that
/// repeats an earlier message's stored once (DataOf).
@Suite struct ResultJSONTests {
    static let view = String(repeating: "sector view ..#.. ", count: 20)   // 360 bytes, nothing to escape

    static func message(_ target: String?, _ data: String, action: String = "Sector-Update") -> OutboundMessage {
        OutboundMessage(target: target, tags: [Tag("Action", action), Tag("Private", "{\"n\":\"" + (target ?? "") + "\"}")],
                        data: data)
    }

    @Test func aRepeatedLongDataIsStoredOnceAndComesBack() throws {
        let messages = [
            Self.message("p1", Self.view), Self.message("p2", Self.view), Self.message(nil, "short"),
            Self.message("p3", "short"), Self.message("p4", Self.view + "!"), Self.message("p5", Self.view + "!"),
        ]
        let json = ResultJSON.encode(messages)
        #expect(json.components(separatedBy: Self.view).count - 1 == 2, "the view and the view + ! once each")
        #expect(json.contains(#"{"DataOf":0,"Tags""#))
        #expect(json.contains(#"{"DataOf":4,"Tags""#))
        #expect(json.components(separatedBy: "\"short\"").count - 1 == 2, "short Data is written out")
        #expect(ResultJSON.decode(json) == messages)
        // Still one array element per message: recovery counts them in SQL (json_array_length).
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any])
        #expect(array.count == messages.count)
    }

    @Test func resultsStoredBeforeDataOfStillDecode() {
        let old = #"[{"Data":"hello","Tags":[{"name":"Action","value":"Hi"}],"Target":"p1"},{"Data":"hello","Tags":[]}]"#
        #expect(ResultJSON.decode(old) == [OutboundMessage(target: "p1", tags: [Tag("Action", "Hi")], data: "hello"),
                                           OutboundMessage(target: nil, tags: [], data: "hello")])
        #expect(ResultJSON.decode("[]") == [])
    }

    @Test(arguments: [#"[{"DataOf":0,"Tags":[]}]"#, #"[{"Data":"a","Tags":[]},{"DataOf":5,"Tags":[]}]"#,
                      #"[{"DataOf":-1,"Tags":[]}]"#, "not json"])
    func aReferenceToNoEarlierMessageIsMalformed(_ json: String) {
        #expect(ResultJSON.decode(json) == [])
    }

    /// The verifier compares results by content: a log stored before DataOf (every Data
    /// written out) still verifies, and a changed Data still does not.
    @Test func theVerifierReadsResultsStoredEitherWay() async throws {
        let h = try NodeHarness()
        let broadcaster = try await h.spawn("""
            Handlers.add('Go', 'Go', function()
              for i = 1, 3 do Send({ Target = 'nobody-' .. i, Action = 'View', Data = string.rep('v', 200) }) end
            end)
            """)
        let slot = try await h.send(broadcaster, "Go").slot
        let stored = try #require(try h.node.ledger.results(of: broadcaster, slots: slot...slot).first)
        #expect(stored.messages.contains(#""DataOf":0"#))
        #expect(try Verifier().verify(ledger: h.node.ledger).isValid)

        func rewrite(_ messages: [OutboundMessage]) throws {
            let json = String(decoding: try JSONEncoder().encode(messages), as: UTF8.self)
            #expect(!json.contains("DataOf"))
            var old = stored
            old.messages = json
            _ = try h.node.ledger.write(LedgerBatch([.result(old)]))
        }
        var messages = ResultJSON.decode(stored.messages)
        try rewrite(messages)
        #expect(try Verifier().verify(ledger: h.node.ledger).isValid)
        messages[2].data = String(repeating: "w", count: 200)
        try rewrite(messages)
        #expect(try !Verifier().verify(ledger: h.node.ledger).isValid)
    }
}
