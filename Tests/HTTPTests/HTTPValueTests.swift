import Testing
@testable import HTTP

@Suite struct HTTPValueTests {
    @Test func looksUpHeadersWithoutRegardToCaseAndKeepsOrder() {
        var headers: HTTPHeaders = ["Content-Type": "a"]
        headers.add("set-cookie", "1")
        headers.add("Set-Cookie", "2")
        #expect(headers["content-TYPE"] == "a")
        #expect(headers.values("SET-COOKIE") == ["1", "2"])
        headers["Set-Cookie"] = "3"
        #expect(headers.fields.map(\.value) == ["a", "3"])
        headers["content-type"] = nil
        #expect(headers.count == 1)
        #expect(HTTPHeaders([("Connection", "keep-alive, Upgrade")]).contains("connection", token: "upgrade"))
    }

    @Test func formatsErrorsAsEscapedJSON() {
        let response = HTTPResponse.error(404, "no \"process\"\n\u{1}here")
        #expect(response.bodyText == #"{"error":"no \"process\"\n\u0001here","status":404}"#)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.status == 404)
    }

    /// Text with nothing to escape comes back unchanged (the fast path); anything
    /// with a quote, backslash or control character is escaped as before.
    @Test func escapesOnlyWhatJSONNeeds() {
        #expect(HTTPResponse.escapeJSON("t6Q9Ae7pm9cO9Xo5Xx8a-_ hi ☄ 42") == "t6Q9Ae7pm9cO9Xo5Xx8a-_ hi ☄ 42")
        #expect(HTTPResponse.escapeJSON("") == "")
        #expect(HTTPResponse.escapeJSON("a\\b\"c\td\u{7f}\u{1f}") == #"a\\b\"c\td\#u{7f}\u001f"#)
    }

    @Test func decodesPercentsOnlyWhereThereAreAny() {
        #expect(PercentDecoding.decode("plain/segment", plusIsSpace: false) == "plain/segment")
        #expect(PercentDecoding.decode("a+b%41", plusIsSpace: true) == "a bA")
        #expect(PercentDecoding.decode("a+b", plusIsSpace: false) == "a+b")
    }

    @Test func splitsAbsoluteTargetsAndIgnoresFragments() {
        let request = HTTPRequest(method: "GET", target: "http://host:1/a/b%20c?x=%zz#frag")
        #expect(request.path == "/a/b c")
        #expect(request.pathSegments == ["a", "b c"])
        #expect(request.query == ["x": "%zz"])
    }

    @Test func parsesHTTPURLs() throws {
        let url = try HTTPURL("http://127.0.0.1:8080/state?x=1")
        #expect(url.host == "127.0.0.1" && url.port == 8080 && url.path == "/state?x=1")
        let v6 = try HTTPURL("http://[::1]:9")
        #expect(v6.host == "::1" && v6.port == 9 && v6.path == "/")
        #expect(try HTTPURL("http://example.org").port == 80)
        #expect(throws: HTTPClientError.invalidURL("https://x")) { try HTTPURL("https://x") }
        #expect(throws: HTTPClientError.self) { try HTTPURL("http://host:99999/") }
        #expect(throws: HTTPClientError.self) { try HTTPURL("http://:80/") }
    }
}
