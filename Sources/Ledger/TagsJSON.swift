/// The JSON form of a tag list in the `tags` columns: `[{"name":"…","value":"…"}]`.
/// Hand-written because it runs once per stored row on the writer thread; the decoder
/// accepts any JSON of that shape (whitespace, escapes, key order).
enum TagsJSON {
    static func encode(_ tags: [TagRecord]) -> String {
        if tags.isEmpty { return "[]" }
        var out: [UInt8] = []
        out.reserveCapacity(2 + tags.count * 24)
        encode(tags, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON's UTF-8 to `out` (the writer reuses one buffer for every row).
    static func encode(_ tags: [TagRecord], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, tag) in tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"name":"#.utf8)
            JSONString.append(tag.name, to: &out)
            out.append(contentsOf: #","value":"#.utf8)
            JSONString.append(tag.value, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "malformed tags JSON at byte \(offset)" }
    }

    static func decode(_ text: String) throws -> [TagRecord] {
        if text == "[]" { return [] }
        var text = text
        return try text.withUTF8 { bytes in
            var parser = Parser(bytes: bytes)
            return try parser.tagList()
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func tagList() throws -> [TagRecord] {
            var tags: [TagRecord] = []
            try expect(UInt8(ascii: "["))
            if try peekSkippingSpace() == UInt8(ascii: "]") {
                i += 1
            } else {
                while true {
                    tags.append(try tag())
                    let next = try nextSkippingSpace()
                    if next == UInt8(ascii: "]") { break }
                    guard next == UInt8(ascii: ",") else { throw SyntaxError(offset: i - 1) }
                }
            }
            skipSpace()
            guard i == bytes.count else { throw SyntaxError(offset: i) }
            return tags
        }

        mutating func tag() throws -> TagRecord {
            try expect(UInt8(ascii: "{"))
            var name: String?
            var value: String?
            while true {
                try expect(UInt8(ascii: "\""))
                let key = try stringBody()
                try expect(UInt8(ascii: ":"))
                try expect(UInt8(ascii: "\""))
                let text = try stringBody()
                switch key {
                case "name": name = text
                case "value": value = text
                default: throw SyntaxError(offset: i)
                }
                let next = try nextSkippingSpace()
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { throw SyntaxError(offset: i - 1) }
            }
            guard let name, let value else { throw SyntaxError(offset: i) }
            return TagRecord(name, value)
        }

        /// The characters after an opening quote, through the closing quote.
        mutating func stringBody() throws -> String {
            var out: [UInt8] = []
            while i < bytes.count {
                let byte = bytes[i]
                i += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { throw SyntaxError(offset: i) }
                    let escape = bytes[i]
                    i += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"): appendScalar(try unicodeEscape(), to: &out)
                    default: throw SyntaxError(offset: i - 1)
                    }
                default:
                    out.append(byte)
                }
            }
            throw SyntaxError(offset: i)
        }

        mutating func unicodeEscape() throws -> Unicode.Scalar {
            let high = try hex4()
            if (0xD800..<0xDC00).contains(high),
               i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                i += 2
                let low = try hex4()
                if (0xDC00..<0xE000).contains(low) {
                    let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    return Unicode.Scalar(value) ?? "\u{FFFD}"
                }
                return "\u{FFFD}"
            }
            return Unicode.Scalar(high) ?? "\u{FFFD}"
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count else { throw SyntaxError(offset: i) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[i]
                i += 1
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw SyntaxError(offset: i - 1)
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        func appendScalar(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
            out.append(contentsOf: String(Character(scalar)).utf8)
        }

        mutating func expect(_ byte: UInt8) throws {
            guard try nextSkippingSpace() == byte else { throw SyntaxError(offset: i - 1) }
        }

        mutating func nextSkippingSpace() throws -> UInt8 {
            skipSpace()
            guard i < bytes.count else { throw SyntaxError(offset: i) }
            i += 1
            return bytes[i - 1]
        }

        mutating func peekSkippingSpace() throws -> UInt8 {
            skipSpace()
            guard i < bytes.count else { throw SyntaxError(offset: i) }
            return bytes[i]
        }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }
    }
}

/// A JSON string literal, quoted and escaped, appended as UTF-8: the one escaper of
/// the hand-written encoders on hot paths (tags here, results in the cluster).
public enum JSONString {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    public static func append(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            out.append(UInt8(ascii: "\""))
            // Runs of bytes that need no escaping are copied whole (JSON text in a
            // message's Data has a quote every few bytes; a byte-wise copy was slow).
            var run = 0
            for i in 0..<utf8.count {
                let byte = utf8[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i])) }
                appendEscaped(byte, to: &out)
                run = i + 1
            }
            if run < utf8.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...])) }
            out.append(UInt8(ascii: "\""))
        }
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
        case 0x0A: out.append(contentsOf: #"\n"#.utf8)
        case 0x0D: out.append(contentsOf: #"\r"#.utf8)
        case 0x09: out.append(contentsOf: #"\t"#.utf8)
        case 0x08: out.append(contentsOf: #"\b"#.utf8)  // as Foundation's encoder writes them
        case 0x0C: out.append(contentsOf: #"\f"#.utf8)
        default:
            out.append(contentsOf: #"\u00"#.utf8)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
    }
}
