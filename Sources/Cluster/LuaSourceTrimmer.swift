/// Lua source without what only a reader needs: comments, indentation and trailing
/// blanks go, every line stays where it was (error messages keep their line numbers)
/// and every token is unchanged, so the text compiles to the same function. It keeps
/// the lazily loaded libraries' text, which every process holds, small.
enum LuaSourceTrimmer {
    static func trimmed(_ source: String) -> String {
        var trimmer = Scanner(Array(source.utf8))
        trimmer.run()
        return String(decoding: trimmer.output, as: UTF8.self)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var output: [UInt8] = []

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            output.reserveCapacity(bytes.count)
        }

        static let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        static let dash = UInt8(ascii: "-"), open = UInt8(ascii: "["), close = UInt8(ascii: "]")
        static let equals = UInt8(ascii: "="), backslash = UInt8(ascii: "\\")
        static let quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'")

        func byte(_ at: Int) -> UInt8? { at < bytes.count ? bytes[at] : nil }

        /// The level of a long bracket `[==[` opening at `at`, if one does.
        func longBracketLevel(at: Int) -> Int? {
            guard byte(at) == Self.open else { return nil }
            var level = 0
            while byte(at + 1 + level) == Self.equals { level += 1 }
            return byte(at + 1 + level) == Self.open ? level : nil
        }

        /// Where the long bracket of `level` opened at `start` ends (just past it).
        func longBracketEnd(from start: Int, level: Int) -> Int {
            var at = start + level + 2
            while at < bytes.count {
                if bytes[at] == Self.close {
                    var equals = 0
                    while byte(at + 1 + equals) == Self.equals { equals += 1 }
                    if equals == level && byte(at + 1 + equals) == Self.close { return at + level + 2 }
                }
                at += 1
            }
            return bytes.count // unterminated: the compiler will say so
        }

        mutating func dropTrailingBlanks() {
            while let last = output.last, last == Self.space || last == Self.tab { output.removeLast() }
        }

        mutating func run() {
            var atLineStart = true
            while index < bytes.count {
                let c = bytes[index]
                if atLineStart && (c == Self.space || c == Self.tab) {
                    index += 1
                    continue
                }
                atLineStart = false
                if c == Self.dash && byte(index + 1) == Self.dash {
                    skipComment()
                } else if c == Self.quote || c == Self.apostrophe {
                    copyShortString(quote: c)
                } else if let level = longBracketLevel(at: index) {
                    let end = longBracketEnd(from: index, level: level)
                    output.append(contentsOf: bytes[index..<end])
                    index = end
                } else if c == Self.newline {
                    dropTrailingBlanks()
                    output.append(c)
                    index += 1
                    atLineStart = true
                } else {
                    output.append(c)
                    index += 1
                }
            }
        }

        /// A comment becomes nothing up to its line's end, or, when it is a block, its
        /// newlines (or one space, so the tokens around it stay apart).
        mutating func skipComment() {
            if let level = longBracketLevel(at: index + 2) {
                let end = longBracketEnd(from: index + 2, level: level)
                let newlines = bytes[index..<end].filter { $0 == Self.newline }.count
                if newlines == 0 {
                    output.append(Self.space)
                } else {
                    dropTrailingBlanks()
                    output.append(contentsOf: repeatElement(Self.newline, count: newlines))
                }
                index = end
            } else {
                while index < bytes.count && bytes[index] != Self.newline { index += 1 }
            }
        }

        mutating func copyShortString(quote: UInt8) {
            output.append(quote)
            index += 1
            while index < bytes.count {
                let c = bytes[index]
                output.append(c)
                index += 1
                if c == Self.backslash, index < bytes.count {
                    output.append(bytes[index])
                    index += 1
                } else if c == quote {
                    return
                }
            }
        }
    }
}
