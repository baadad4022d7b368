/// One Server-Sent Event (WHATWG HTML §9.2, `text/event-stream`).
public struct ServerSentEvent: Sendable, Equatable {
    /// The event's `id:`, which the client sends back as `Last-Event-ID` on reconnect.
    public var id: String?
    /// The event type (`event:`); nil means the default, `message`.
    public var event: String?
    /// The payload; may span lines.
    public var data: String
    /// The reconnection time in milliseconds (`retry:`).
    public var retry: Int?

    public init(id: String? = nil, event: String? = nil, data: String, retry: Int? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
    }

    /// The wire form: one `data:` line per line of `data` (split at CRLF, LF or
    /// CR, as parsers split), ended by a blank line. Line breaks in `id` and
    /// `event` would break the framing, so they are removed.
    public func encoded() -> [UInt8] {
        var text = ""
        if let id { text += "id: \(Self.oneLine(id))\n" }
        if let event { text += "event: \(Self.oneLine(event))\n" }
        if let retry { text += "retry: \(retry)\n" }
        for line in Self.lines(data) { text += "data: \(line)\n" }
        text += "\n"
        return Array(text.utf8)
    }

    /// A comment line, ignored by clients: a heartbeat that keeps proxies from
    /// closing an idle stream.
    public static func comment(_ text: String) -> [UInt8] {
        Array(":\(oneLine(text))\n\n".utf8)
    }

    private static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
    }

    private static func lines(_ text: String) -> [Substring] {
        // Unicode scalars, because Swift treats "\r\n" as one Character.
        var lines: [Substring] = []
        var start = text.unicodeScalars.startIndex
        var index = start
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\r" || scalar == "\n" {
                lines.append(Substring(scalars[start..<index]))
                var next = scalars.index(after: index)
                if scalar == "\r", next < scalars.endIndex, scalars[next] == "\n" { next = scalars.index(after: next) }
                start = next
                index = next
            } else {
                index = scalars.index(after: index)
            }
        }
        lines.append(Substring(scalars[start...]))
        return lines
    }
}
