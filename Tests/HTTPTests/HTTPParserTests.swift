import Testing
@testable import HTTP

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func messages(_ events: [HTTPParserEvent]) -> [HTTPMessage] {
    events.compactMap { if case .message(let message) = $0 { message } else { nil } }
}

@Suite struct HTTPParserTests {
    @Test func parsesASimpleGetWithHeadThenMessage() throws {
        let parser = HTTPParser(mode: .request)
        let events = try parser.feed(bytes("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Thing: 1\r\n\r\n"))
        #expect(events.count == 2)
        guard case .head(let head) = events[0], case .message(let message) = events[1] else {
            Issue.record("expected head then message, got \(events)")
            return
        }
        #expect(head.method == "GET" && head.target == "/a/b?x=1")
        #expect(message.headers["x-thing"] == "1")
        #expect(message.headers["HOST"] == "h")
        #expect(message.version == .http1_1)
        #expect(message.keepAlive)
        #expect(message.body.isEmpty)
    }

    @Test func readsAContentLengthBody() throws {
        let parser = HTTPParser(mode: .request)
        let found = messages(try parser.feed(bytes("POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")))
        #expect(found.map(\.body) == [bytes("hello")])
        #expect(found.first?.method == "POST")
    }

    @Test func decodesAChunkedBody() throws {
        let parser = HTTPParser(mode: .request)
        let text = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n"
        let found = messages(try parser.feed(bytes(text)))
        #expect(found.map(\.body) == [bytes("hello world")])
    }

    @Test func yieldsPipelinedRequestsInOrder() throws {
        let parser = HTTPParser(mode: .request)
        let text = "GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\n\r\n"
        let found = messages(try parser.feed(bytes(text)))
        #expect(found.map(\.target) == ["/1", "/2", "/3"])
        #expect(found[1].body == bytes("hi"))
    }

    @Test func stopsAfterOneMessageWhenAskedAndKeepsTheRest() throws {
        let parser = HTTPParser(mode: .request)
        let first = "GET /1 HTTP/1.1\r\n\r\n"
        let all = bytes(first + "GET /2 HTTP/1.1\r\n\r\n")
        let (events, consumed) = try all.withUnsafeBytes { try parser.feed($0, stopAfterMessage: true) }
        #expect(messages(events).map(\.target) == ["/1"])
        #expect(consumed == first.utf8.count)
        let rest = messages(try parser.feed(Array(all[consumed...])))
        #expect(rest.map(\.target) == ["/2"])
    }

    @Test func givesTheSameMessagesWhateverByteTheInputIsSplitAt() throws {
        let text = "POST /x?q=%20 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /y HTTP/1.1\r\nLong-Header: \(String(repeating: "v", count: 40))\r\n\r\n"
        let whole = messages(try HTTPParser(mode: .request).feed(bytes(text)))
        #expect(whole.count == 2)
        let input = bytes(text)
        for split in 0...input.count {
            let parser = HTTPParser(mode: .request)
            let found = messages(try parser.feed(Array(input[..<split])) + parser.feed(Array(input[split...])))
            #expect(found == whole, "split at \(split)")
        }
        let parser = HTTPParser(mode: .request)
        var oneByOne: [HTTPParserEvent] = []
        for byte in input { oneByOne += try parser.feed([byte]) }
        #expect(messages(oneByOne) == whole)
    }

    @Test func refusesAHeadLargerThanTheLimit() {
        let parser = HTTPParser(mode: .request, maxHeaderBytes: 100)
        let text = "GET / HTTP/1.1\r\nBig: \(String(repeating: "x", count: 200))\r\n\r\n"
        #expect(throws: HTTPParserError.headerTooLarge(limit: 100)) { try parser.feed(bytes(text)) }
    }

    @Test func countsManyTinyHeaderFieldsAgainstTheLimit() {
        let parser = HTTPParser(mode: .request, maxHeaderBytes: 200)
        let text = "GET / HTTP/1.1\r\n" + String(repeating: "a:b\r\n", count: 60) + "\r\n"
        #expect(throws: HTTPParserError.headerTooLarge(limit: 200)) { try parser.feed(bytes(text)) }
    }

    @Test func refusesADeclaredBodyOverTheLimitBeforeItArrives() {
        let parser = HTTPParser(mode: .request, maxBodyBytes: 10)
        #expect(throws: HTTPParserError.bodyTooLarge(limit: 10)) {
            try parser.feed(bytes("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n"))
        }
    }

    @Test func refusesAChunkedBodyThatGrowsOverTheLimit() {
        let parser = HTTPParser(mode: .request, maxBodyBytes: 10)
        let text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n"
        #expect(throws: HTTPParserError.bodyTooLarge(limit: 10)) { try parser.feed(bytes(text)) }
    }

    @Test func reportsMalformedInputAndStaysFailed() throws {
        let parser = HTTPParser(mode: .request)
        let error = #expect(throws: HTTPParserError.self) { try parser.feed(bytes("GET / HTTP/1.1\r\nBad Header\r\n\r\n")) }
        guard case .malformed(let name, _)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(name.hasPrefix("HPE_"))
        #expect(throws: HTTPParserError.self) { try parser.feed(bytes("GET / HTTP/1.1\r\n\r\n")) }
    }

    @Test func refusesABadChunkSize() {
        let parser = HTTPParser(mode: .request)
        #expect(throws: HTTPParserError.self) {
            try parser.feed(bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
        }
    }

    @Test func knowsHTTP10KeepAliveRules() throws {
        let plain = messages(try HTTPParser(mode: .request).feed(bytes("GET / HTTP/1.0\r\n\r\n")))
        #expect(plain.first?.keepAlive == false)
        let asked = messages(try HTTPParser(mode: .request).feed(bytes("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")))
        #expect(asked.first?.keepAlive == true)
        let closing = messages(try HTTPParser(mode: .request).feed(bytes("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")))
        #expect(closing.first?.keepAlive == false)
    }

    @Test func readsAResponseToHEADWithoutItsBody() throws {
        let parser = HTTPParser(mode: .response)
        parser.expectResponse(toMethod: "HEAD")
        parser.expectResponse(toMethod: "GET")
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"
        let found = messages(try parser.feed(bytes(text)))
        #expect(found.map(\.status) == [200, 404])
        #expect(found.map(\.body) == [[], bytes("no")])
    }

    @Test func streamsAResponseBodyInPiecesAndSkips100Continue() throws {
        let parser = HTTPParser(mode: .response, maxBodyBytes: 4)
        parser.expectResponse(toMethod: "GET", streaming: true)
        var events = try parser.feed(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n"))
        #expect(events.count == 2)
        #expect(events.last == .body(bytes("abcdef")))
        events = try parser.feed(bytes("3\r\nghi\r\n0\r\n\r\n"))
        #expect(events.first == .body(bytes("ghi")))
        #expect(messages(events).map(\.status) == [200])
    }

    @Test func endsABodyThatRunsToTheEndOfTheConnection() throws {
        let parser = HTTPParser(mode: .response)
        #expect(try parser.feed(bytes("HTTP/1.1 200 OK\r\n\r\npartial")).count == 1)
        #expect(messages(try parser.finish()).map(\.body) == [bytes("partial")])
    }

    @Test func failsAMessageCutShortAtTheEnd() throws {
        let parser = HTTPParser(mode: .response)
        _ = try parser.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
        #expect(throws: HTTPParserError.self) { try parser.finish() }
    }

    @Test func namesReasonPhrases() {
        #expect(HTTPParser.reasonPhrase(for: 404) == "Not Found")
        #expect(HTTPParser.reasonPhrase(for: 431) == "Request Header Fields Too Large")
        #expect(HTTPParser.reasonPhrase(for: 799) == "Unknown")
    }
}
