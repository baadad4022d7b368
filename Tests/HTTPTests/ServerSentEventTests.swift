import Testing
@testable import HTTP

@Suite struct ServerSentEventTests {
    @Test func encodesMultiLineDataAsSeveralDataLines() {
        let event = ServerSentEvent(id: "7", event: "tick", data: "a\nb\r\nc", retry: 1500)
        #expect(String(decoding: event.encoded(), as: UTF8.self)
            == "id: 7\nevent: tick\nretry: 1500\ndata: a\ndata: b\ndata: c\n\n")
    }

    @Test func roundTripsEventsThroughTheParserInAnyChunking() {
        let events = [
            ServerSentEvent(id: "1", event: "spawn", data: "{\"x\":1}"),
            ServerSentEvent(data: "line one\nline two\n"),
            ServerSentEvent(id: "3", data: ""),
            ServerSentEvent(event: "result", data: " leading space", retry: 10),
        ]
        let wire = events.flatMap { $0.encoded() }
        for size in [1, 2, 3, 7, wire.count] {
            var parser = ServerSentEventParser()
            var parsed: [ServerSentEvent] = []
            for start in stride(from: 0, to: wire.count, by: size) {
                parsed += parser.feed(wire[start..<min(start + size, wire.count)])
            }
            #expect(parsed == events, "chunks of \(size)")
            #expect(parser.lastEventID == "3")
            #expect(parser.retry == 10)
        }
    }

    @Test func handlesCRLFAndCRLineEndsCommentsAndABOM() {
        var parser = ServerSentEventParser()
        let text = "\u{FEFF}: comment\r\ndata: one\r\n\r\nid: 9\rdata: two\rdata:three\r\r"
        var events = parser.feed(Array(text.utf8).prefix(20))
        events += parser.feed(Array(text.utf8).dropFirst(20))
        #expect(events == [ServerSentEvent(data: "one"), ServerSentEvent(id: "9", data: "two\nthree")])
    }

    @Test func keepsAnEventWithoutItsBlankLineBuffered() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: partial\n".utf8)).isEmpty)
        #expect(parser.feed(Array("\n".utf8)) == [ServerSentEvent(data: "partial")])
        #expect(parser.feed(Array("event: x\n\nretry: no\nfoo: bar\n\n".utf8)).isEmpty, "no data, no event")
    }

    @Test func removesLineBreaksFromIdAndEventSoTheyCannotForgeFields() {
        let event = ServerSentEvent(id: "1\ndata: forged", event: "a\rb", data: "ok")
        var parser = ServerSentEventParser()
        let parsed = parser.feed(event.encoded())
        #expect(parsed.count == 1)
        #expect(parsed.first?.data == "ok")
    }
}
