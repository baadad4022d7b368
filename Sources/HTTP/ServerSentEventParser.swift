/// Turns a `text/event-stream` body, fed in chunks of any size, into events,
/// following the WHATWG event stream interpretation: lines end at CRLF, LF or
/// CR (also across chunks); a leading BOM is skipped; `:` lines are comments;
/// a blank line dispatches; an event without data is dropped; a final event
/// without its blank line is never dispatched (it stays buffered).
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastByteWasCR = false
    private var atStreamStart = true
    private var data: [UInt8] = []
    private var hasData = false
    private var event: String?
    private var id: String?
    private var retryInBlock: Int?
    /// The last `id:` seen, kept across events (sent as `Last-Event-ID` on reconnect).
    public private(set) var lastEventID: String = ""
    /// The last valid `retry:` seen, in milliseconds.
    public private(set) var retry: Int?

    public init() {}

    /// Parses `bytes` and returns the events they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if byte == 0x0A && lastByteWasCR {
                lastByteWasCR = false
                continue  // The LF of a CRLF already handled at the CR.
            }
            lastByteWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
                if atStreamStart && line.count == 3 {
                    if line == [0xEF, 0xBB, 0xBF] { line = [] }
                    atStreamStart = false
                }
            }
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if atStreamStart {
            atStreamStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = line[valueStart...]
        switch name {
        case "data":
            if hasData { data.append(0x0A) }
            data += value
            hasData = true
        case "event":
            event = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) {
                id = String(decoding: value, as: UTF8.self)
                lastEventID = id!
            }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
               let milliseconds = Int(String(decoding: value, as: UTF8.self)) {
                retry = milliseconds
                retryInBlock = milliseconds
            }
        default:
            break  // Unknown fields are ignored.
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data = []
            hasData = false
            event = nil
            id = nil
            retryInBlock = nil
        }
        guard hasData else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return ServerSentEvent(id: id, event: event?.isEmpty == true ? nil : event, data: text, retry: retryInBlock)
    }
}
