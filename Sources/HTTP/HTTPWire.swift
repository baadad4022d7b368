/// The bytes of HTTP/1.1 messages as this module writes them.
enum HTTPWire {
    /// How a response body is delimited.
    enum Framing {
        case length(Int)
        case chunked
        /// HTTP/1.0 streams: the body ends when the connection closes.
        case untilClose
    }

    /// The status line and fields of a response. Framing fields the caller set
    /// are replaced by ours, so the framing is always right.
    static func responseHead(_ response: HTTPResponse, framing: Framing, closing: Bool,
                             keepAliveHeader: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(response.status) \(HTTPParser.reasonPhrase(for: response.status))\r\n"
        for field in response.headers.fields where !isFraming(field.name) {
            text += "\(clean(field.name)): \(clean(field.value))\r\n"
        }
        let noBody = response.status / 100 == 1 || response.status == 204 || response.status == 304
        switch framing {
        case .length(let count) where !noBody: text += "Content-Length: \(count)\r\n"
        case .chunked: text += "Transfer-Encoding: chunked\r\n"
        default: break
        }
        if closing {
            text += "Connection: close\r\n"
        } else if keepAliveHeader {
            text += "Connection: keep-alive\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// A complete response; HEAD gets the head only.
    static func response(_ response: HTTPResponse, toHEAD: Bool, closing: Bool, keepAliveHeader: Bool) -> [UInt8] {
        var bytes = responseHead(response, framing: .length(response.body.count), closing: closing,
                                 keepAliveHeader: keepAliveHeader)
        if !toHEAD { bytes += response.body }
        return bytes
    }

    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// One chunk of a chunked body; empty bytes would end the body, so callers skip them.
    static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10]
    }

    static let lastChunk = Array("0\r\n\r\n".utf8)

    static func request(method: String, target: String, host: String, headers: HTTPHeaders, body: [UInt8]) -> [UInt8] {
        var text = "\(clean(method)) \(clean(target)) HTTP/1.1\r\n"
        if headers["Host"] == nil { text += "Host: \(host)\r\n" }
        for field in headers.fields where !HTTPHeaders.sameName(field.name, "Content-Length") {
            text += "\(clean(field.name)): \(clean(field.value))\r\n"
        }
        if !body.isEmpty || !["GET", "HEAD", "DELETE", "OPTIONS"].contains(method) {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8) + body
    }

    private static func isFraming(_ name: String) -> Bool {
        HTTPHeaders.sameName(name, "Content-Length") || HTTPHeaders.sameName(name, "Transfer-Encoding")
            || HTTPHeaders.sameName(name, "Connection")
    }

    /// CR and LF would let a value smuggle in fields of its own.
    private static func clean(_ text: String) -> String {
        text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            ? String(text.filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" }) : text
    }
}
