/// A request as the server's handler sees it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The target as sent: `/processes/7%20a?limit=10`.
    public var target: String
    /// The percent-decoded path without the query: `/processes/7 a`.
    public var path: String
    /// The path's non-empty segments, each percent-decoded on its own (so an
    /// encoded `/` stays inside its segment): `["processes", "7 a"]`.
    public var pathSegments: [String]
    /// The query's parameters, percent-decoded with `+` as space; the last of
    /// repeated names wins.
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var version: HTTPVersion
    /// Whether the client will send another request on this connection.
    public var keepAlive: Bool
    /// The peer's `host:port`, if known.
    public var remoteAddress: String?

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                version: HTTPVersion = .http1_1, keepAlive: Bool = true, remoteAddress: String? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.version = version
        self.keepAlive = keepAlive
        self.remoteAddress = remoteAddress
        let (rawPath, rawQuery) = Self.split(target)
        path = PercentDecoding.decode(rawPath, plusIsSpace: false)
        pathSegments = rawPath.split(separator: "/").map { PercentDecoding.decode($0, plusIsSpace: false) }
        query = PercentDecoding.query(rawQuery)
    }

    init(_ message: HTTPMessage, remoteAddress: String?) {
        self.init(method: message.method, target: message.target, headers: message.headers, body: message.body,
                  version: message.version, keepAlive: message.keepAlive, remoteAddress: remoteAddress)
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Path and query of an origin-form (`/a?b`) or absolute-form (`http://h/a?b`) target.
    private static func split(_ target: String) -> (path: Substring, query: Substring) {
        var rest = Substring(target)
        if !rest.hasPrefix("/"), let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            rest = rest[rest.index(colon, offsetBy: 3)...]
            rest = rest.firstIndex(where: { $0 == "/" || $0 == "?" }).map { rest[$0...] } ?? ""
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        guard let mark = rest.firstIndex(of: "?") else { return (rest, "") }
        return (rest[..<mark], rest[rest.index(after: mark)...])
    }
}

/// Percent-decoding (RFC 3986 §2.1) of paths and query strings.
enum PercentDecoding {
    static func decode(_ text: some StringProtocol, plusIsSpace: Bool) -> String {
        // Checked before copying: most paths have nothing to decode (runs per segment
        // of every request).
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%"), i + 2 < utf8.count, let high = hex(utf8[i + 1]), let low = hex(utf8[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func query(_ text: some StringProtocol) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0], plusIsSpace: true)
            result[name] = parts.count > 1 ? decode(parts[1], plusIsSpace: true) : ""
        }
        return result
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
