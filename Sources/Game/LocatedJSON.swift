/// A JSON value with the line it starts on, so that map errors can name the line a
/// problem is on (Foundation's decoders keep no positions).
struct LocatedJSON: Sendable {
    enum Value: Sendable {
        case object([(key: String, value: LocatedJSON)])
        case array([LocatedJSON])
        case string(String)
        /// The number's text as written; `int` reads it when it is a whole number.
        case number(String)
        case bool(Bool)
        case null
    }

    var value: Value
    var line: Int

    subscript(key: String) -> LocatedJSON? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.value
    }

    var keys: [String] {
        guard case .object(let members) = value else { return [] }
        return members.map(\.key)
    }

    var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    var int: Int? {
        if case .number(let text) = value { return Int(text) }
        return nil
    }

    var array: [LocatedJSON]? {
        if case .array(let items) = value { return items }
        return nil
    }

    var isObject: Bool {
        if case .object = value { return true }
        return false
    }

    /// What the value is, for messages such as "expected a string, found a number".
    var kind: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// A JSON syntax error at a line.
struct JSONSyntaxError: Error, Sendable {
    var line: Int
    var message: String
}

/// A small strict JSON parser (RFC 8259) that records the line of every value.
struct LocatedJSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    init(_ text: String) { bytes = Array(text.utf8) }

    /// Parses one document; anything after it but whitespace is an error.
    mutating func parseDocument() throws(JSONSyntaxError) -> LocatedJSON {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index < bytes.count { throw fail("unexpected text after the JSON document") }
        return value
    }

    private func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(line: line, message: message) }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x0A: line += 1; index += 1
            case 0x20, 0x09, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> LocatedJSON {
        guard depth < 64 else { throw fail("JSON nested too deeply") }
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of the file") }
        let start = line
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: LocatedJSON)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return LocatedJSON(value: .object(members), line: start) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                let key = try parseString()
                if members.contains(where: { $0.key == key }) { throw fail("key '\(key)' appears twice") }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after key '\(key)'") }
                index += 1
                members.append((key, try parseValue(depth: depth + 1)))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return LocatedJSON(value: .object(members), line: start) }
                throw fail("expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [LocatedJSON] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return LocatedJSON(value: .array(items), line: start) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return LocatedJSON(value: .array(items), line: start) }
                throw fail("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            return LocatedJSON(value: .string(try parseString()), line: start)
        case UInt8(ascii: "t"): try literal("true"); return LocatedJSON(value: .bool(true), line: start)
        case UInt8(ascii: "f"): try literal("false"); return LocatedJSON(value: .bool(false), line: start)
        case UInt8(ascii: "n"): try literal("null"); return LocatedJSON(value: .null, line: start)
        default:
            let begin = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[begin..<index], as: UTF8.self)
            guard !text.isEmpty, Double(text) != nil else { throw fail("unexpected character in JSON") }
            return LocatedJSON(value: .number(text), line: start)
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else { throw fail("unexpected word in JSON") }
        index += w.count
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case 0x0A: throw fail("a line break inside a string (missing closing quote?)")
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw fail("unterminated string") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("invalid escape in a string")
                }
            default: out.append(b)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw fail("invalid \\u escape") }
        index += 4
        return v
    }
}
