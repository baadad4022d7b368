/// A response: what a handler gives `HTTPResponder.respond`, and what
/// `HTTPClientConnection` returns. The server adds `Content-Length` and, when it
/// closes the connection, `Connection: close`.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body given as text, with `Content-Type: application/json`.
    public static func json(_ status: Int, _ jsonText: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(jsonText.utf8))
    }

    /// The error shape every Starlane endpoint uses: `{"error":"…","status":N}`.
    public static func error(_ status: Int, _ message: String) -> HTTPResponse {
        json(status, "{\"error\":\"\(escapeJSON(message))\",\"status\":\(status)}")
    }

    /// A plain-text body.
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// `text` as the inside of a JSON string literal (RFC 8259 §7).
    public static func escapeJSON(_ text: String) -> String {
        // Most text (ids, numbers, words) needs nothing: one scan, no copy.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
