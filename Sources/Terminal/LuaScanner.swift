/// Just enough of Lua's lexer to find `require` calls with a constant name: it skips
/// comments and string literals, so a `require "x"` inside either is not a dependency.
struct LuaScanner {
    private let bytes: [UInt8]

    init(_ source: String) { bytes = Array(source.utf8) }

    /// `(name, line)` for each `require "x"`, `require 'x'`, `require [[x]]` or `require("x")`.
    func requireCalls() -> [(String, Int)] {
        var calls: [(String, Int)] = []
        var i = 0
        var line = 1
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\n") { line += 1; i += 1; continue }
            if c == UInt8(ascii: "-"), at(i + 1) == UInt8(ascii: "-") {
                i += 2
                if let level = longBracketLevel(at: i) { i = skipLong(from: i, level: level, line: &line) } else {
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                }
                continue
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { i = skipQuoted(from: i, line: &line).end; continue }
            if c == UInt8(ascii: "["), let level = longBracketLevel(at: i) { i = skipLong(from: i, level: level, line: &line); continue }
            if isIdentifierStart(c) {
                let start = i
                while i < bytes.count, isIdentifierPart(bytes[i]) { i += 1 }
                let previous = start > 0 ? bytes[start - 1] : 0
                guard bytes[start..<i].elementsEqual("require".utf8), previous != UInt8(ascii: "."),
                      previous != UInt8(ascii: ":") else { continue }
                let callLine = line
                var j = i
                var callLines = line
                skipSpace(&j, line: &callLines)
                let parenthesised = at(j) == UInt8(ascii: "(")
                if parenthesised { j += 1; skipSpace(&j, line: &callLines) }
                guard let literal = stringLiteral(at: j, line: &callLines) else { continue }
                j = literal.end
                if parenthesised {
                    skipSpace(&j, line: &callLines)
                    guard at(j) == UInt8(ascii: ")") else { continue }
                    j += 1
                }
                calls.append((literal.value, callLine))
                i = j
                line = callLines
                continue
            }
            i += 1
        }
        return calls
    }

    // MARK: - Pieces

    private func at(_ i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }

    private func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == UInt8(ascii: "_")
    }

    private func isIdentifierPart(_ c: UInt8) -> Bool { isIdentifierStart(c) || (c >= 0x30 && c <= 0x39) }

    private func skipSpace(_ i: inout Int, line: inout Int) {
        while let c = at(i), c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
            if c == 0x0A { line += 1 }
            i += 1
        }
    }

    /// `[[`, `[=[`, ... at `i`: the number of `=`.
    private func longBracketLevel(at i: Int) -> Int? {
        guard at(i) == UInt8(ascii: "[") else { return nil }
        var j = i + 1
        while at(j) == UInt8(ascii: "=") { j += 1 }
        return at(j) == UInt8(ascii: "[") ? j - i - 1 : nil
    }

    private func skipLong(from i: Int, level: Int, line: inout Int) -> Int {
        longString(from: i, level: level, line: &line).end
    }

    private func longString(from i: Int, level: Int, line: inout Int) -> (value: String, end: Int) {
        var j = i + level + 2
        let contentStart = j
        while j < bytes.count {
            if bytes[j] == UInt8(ascii: "\n") { line += 1 }
            if bytes[j] == UInt8(ascii: "]") {
                var k = j + 1
                while at(k) == UInt8(ascii: "=") { k += 1 }
                if k - j - 1 == level, at(k) == UInt8(ascii: "]") {
                    return (String(decoding: bytes[contentStart..<j], as: UTF8.self), k + 1)
                }
            }
            j += 1
        }
        return (String(decoding: bytes[contentStart...], as: UTF8.self), bytes.count)
    }

    private func skipQuoted(from i: Int, line: inout Int) -> (value: String, end: Int) {
        let quote = bytes[i]
        var j = i + 1
        var value: [UInt8] = []
        while j < bytes.count, bytes[j] != quote {
            if bytes[j] == UInt8(ascii: "\n") { line += 1; break } // an unfinished string ends the line
            if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count {
                value.append(bytes[j + 1])
                if bytes[j + 1] == UInt8(ascii: "\n") { line += 1 }
                j += 2
                continue
            }
            value.append(bytes[j])
            j += 1
        }
        return (String(decoding: value, as: UTF8.self), min(j + 1, bytes.count))
    }

    private func stringLiteral(at i: Int, line: inout Int) -> (value: String, end: Int)? {
        guard let c = at(i) else { return nil }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { return skipQuoted(from: i, line: &line) }
        if let level = longBracketLevel(at: i) { return longString(from: i, level: level, line: &line) }
        return nil
    }
}
