/// The shell's line editor as a pure state machine: feed it the bytes a raw-mode
/// terminal sends, it edits its buffer and says when a line is done. Rendering is a
/// separate function, so tests drive it with bytes and read the buffer and cursor.
public struct LineEditor: Sendable {
    /// What a byte did.
    public enum Event: Equatable, Sendable {
        /// The buffer or cursor may have changed: redraw.
        case edited
        /// Enter: the line (already added to the history).
        case submit(String)
        /// Ctrl-C: the line was dropped.
        case interrupt
        /// Ctrl-D on an empty line: leave.
        case endOfInput
        /// Nothing to do yet (inside an escape sequence or a UTF-8 character).
        case pending
    }

    public private(set) var buffer: [Unicode.Scalar] = []
    /// An index into `buffer`, 0...count.
    public private(set) var cursor = 0
    public private(set) var history: LineHistory

    /// Where up/down stand: nil while editing a fresh line, else an index into history.
    private var historyIndex: Int?
    /// The fresh line, kept while browsing history.
    private var draft: [Unicode.Scalar] = []
    private var escape: [UInt8]?
    private var utf8: [UInt8] = []

    public init(history: LineHistory = LineHistory()) { self.history = history }

    public var line: String { String(String.UnicodeScalarView(buffer)) }

    /// Feeds every byte; returns the events that are not `.pending`.
    public mutating func feed(_ bytes: [UInt8]) -> [Event] {
        bytes.map { feed($0) }.filter { $0 != .pending }
    }

    public mutating func feed(_ byte: UInt8) -> Event {
        if escape != nil { return continueEscape(byte) }
        if !utf8.isEmpty || byte >= 0x80 { return continueUTF8(byte) }
        switch byte {
        case 0x1B: escape = []; return .pending
        case 0x0D, 0x0A: return submit()
        case 0x01: cursor = 0                               // Ctrl-A
        case 0x05: cursor = buffer.count                    // Ctrl-E
        case 0x02: cursor = max(0, cursor - 1)              // Ctrl-B
        case 0x06: cursor = min(buffer.count, cursor + 1)   // Ctrl-F
        case 0x7F, 0x08: backspace()
        case 0x03:                                          // Ctrl-C
            clear()
            return .interrupt
        case 0x04:                                          // Ctrl-D
            if buffer.isEmpty { return .endOfInput }
            deleteForward()
        case 0x0B: buffer.removeSubrange(cursor...)         // Ctrl-K
        case 0x15: buffer.removeSubrange(..<cursor); cursor = 0 // Ctrl-U
        case 0x17: deleteWordBackward()                     // Ctrl-W
        case 0x10: historyUp()                              // Ctrl-P
        case 0x0E: historyDown()                            // Ctrl-N
        case 0x09: insert(" "); insert(" ")                 // Tab: two spaces
        case 0x20...0x7E: insert(Unicode.Scalar(byte))
        default: return .pending                            // other controls: ignored
        }
        return .edited
    }

    /// Clears the buffer and leaves history browsing (after a submit or Ctrl-C).
    public mutating func clear() {
        buffer = []
        cursor = 0
        historyIndex = nil
        draft = []
    }

    // MARK: - Editing

    private mutating func insert(_ scalar: Unicode.Scalar) {
        buffer.insert(scalar, at: cursor)
        cursor += 1
    }

    private mutating func backspace() {
        guard cursor > 0 else { return }
        buffer.remove(at: cursor - 1)
        cursor -= 1
    }

    private mutating func deleteForward() {
        guard cursor < buffer.count else { return }
        buffer.remove(at: cursor)
    }

    private mutating func deleteWordBackward() {
        var start = cursor
        while start > 0, buffer[start - 1] == " " { start -= 1 }
        while start > 0, buffer[start - 1] != " " { start -= 1 }
        buffer.removeSubrange(start..<cursor)
        cursor = start
    }

    private mutating func submit() -> Event {
        let text = line
        history.add(text)
        clear()
        return .submit(text)
    }

    // MARK: - History

    private mutating func historyUp() {
        guard !history.lines.isEmpty else { return }
        let index: Int
        if let current = historyIndex { index = max(0, current - 1) } else {
            draft = buffer
            index = history.lines.count - 1
        }
        historyIndex = index
        show(Array(history.lines[index].unicodeScalars))
    }

    private mutating func historyDown() {
        guard let current = historyIndex else { return }
        if current + 1 < history.lines.count {
            historyIndex = current + 1
            show(Array(history.lines[current + 1].unicodeScalars))
        } else {
            historyIndex = nil
            show(draft)
        }
    }

    private mutating func show(_ scalars: [Unicode.Scalar]) {
        buffer = scalars
        cursor = scalars.count
    }

    // MARK: - Escape sequences and UTF-8

    /// ESC [ A/B/C/D/H/F, ESC O H/F, ESC [ n ~ (1/7 Home, 4/8 End, 3 Delete).
    private mutating func continueEscape(_ byte: UInt8) -> Event {
        var sequence = escape ?? []
        sequence.append(byte)
        if sequence.count == 1 {
            guard byte == UInt8(ascii: "[") || byte == UInt8(ascii: "O") else { escape = nil; return .pending }
            escape = sequence
            return .pending
        }
        // Parameters are digits and ';' until a final byte in 0x40...0x7E.
        guard (0x40...0x7E).contains(byte) else {
            if sequence.count > 16 { escape = nil } else { escape = sequence }
            return .pending
        }
        escape = nil
        let parameters = String(decoding: sequence.dropFirst().dropLast(), as: UTF8.self)
        switch byte {
        case UInt8(ascii: "A"): historyUp()
        case UInt8(ascii: "B"): historyDown()
        case UInt8(ascii: "C"): cursor = min(buffer.count, cursor + 1)
        case UInt8(ascii: "D"): cursor = max(0, cursor - 1)
        case UInt8(ascii: "H"): cursor = 0
        case UInt8(ascii: "F"): cursor = buffer.count
        case UInt8(ascii: "~"):
            switch parameters {
            case "1", "7": cursor = 0
            case "4", "8": cursor = buffer.count
            case "3": deleteForward()
            default: return .pending
            }
        default: return .pending
        }
        return .edited
    }

    private mutating func continueUTF8(_ byte: UInt8) -> Event {
        utf8.append(byte)
        let expected: Int
        switch utf8[0] {
        case 0xC0...0xDF: expected = 2
        case 0xE0...0xEF: expected = 3
        case 0xF0...0xF7: expected = 4
        default: utf8 = []; return .pending // a stray continuation byte
        }
        guard utf8.count == expected else { return .pending }
        defer { utf8 = [] }
        guard let scalar = String(decoding: utf8, as: UTF8.self).unicodeScalars.first, scalar != "\u{FFFD}" else { return .pending }
        insert(scalar)
        return .edited
    }

    // MARK: - Rendering

    /// What redraws the line in place: to column 0, the prompt and buffer, clear the
    /// rest, then back to the cursor. Assumes one column per character and a line
    /// shorter than the terminal.
    public func render(prompt: String) -> String {
        var text = "\r" + prompt + line + "\u{1B}[K"
        let back = buffer.count - cursor
        if back > 0 { text += "\u{1B}[\(back)D" }
        return text
    }
}
