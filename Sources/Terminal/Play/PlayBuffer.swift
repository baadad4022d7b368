/// Colours the client uses (the eight of every colour terminal).
public enum PlayColour: UInt8, Equatable, Sendable, CaseIterable {
    case normal, red, green, yellow, blue, magenta, cyan, white
}

/// How a cell is drawn.
public struct PlayStyle: Equatable, Hashable, Sendable {
    public var colour: PlayColour = .normal
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false

    public init(_ colour: PlayColour = .normal, bold: Bool = false, dim: Bool = false, reverse: Bool = false,
                underline: Bool = false) {
        self.colour = colour
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = PlayStyle()
}

/// One character cell of the screen.
public struct PlayCell: Equatable, Sendable {
    public var character: Character
    public var style: PlayStyle

    public init(_ character: Character = " ", _ style: PlayStyle = .plain) {
        self.character = character
        self.style = style
    }
}

/// A screen's worth of cells, drawn in memory: the renderer writes here, tests read
/// it, and the terminal gets only the cells that differ from the last frame
/// (ratatui's Buffer / BufferDiff).
public struct PlayBuffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [PlayCell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: PlayCell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> PlayCell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from (x, y), clipped to the buffer and to `limit` columns.
    /// Characters that do not take exactly one column are drawn as `?`.
    public mutating func put(_ text: String, x: Int, y: Int, _ style: PlayStyle = .plain, limit: Int? = nil) {
        guard y >= 0, y < height else { return }
        var column = x
        let end = min(width, limit.map { x + $0 } ?? width)
        for c in text {
            if column >= end { break }
            if column >= 0 { self[column, y] = PlayCell(Self.printable(c), style) }
            column += 1
        }
    }

    /// Fills a row segment with one character.
    public mutating func fill(_ c: Character = " ", x: Int, y: Int, width w: Int, _ style: PlayStyle = .plain) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + w) { self[column, y] = PlayCell(c, style) }
    }

    /// Changes the style of a row segment, keeping its characters.
    public mutating func restyle(x: Int, y: Int, width w: Int, _ change: (inout PlayStyle) -> Void) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + w) { change(&self[column, y].style) }
    }

    /// A row as plain text (for tests and captures).
    public func line(_ y: Int) -> String { String((0..<width).map { self[$0, y].character }) }

    /// The whole buffer as text, trailing spaces trimmed.
    public var text: String {
        (0..<height).map { y in
            var row = line(y)
            while row.last == " " { row.removeLast() }
            return row
        }.joined(separator: "\n")
    }

    /// The cells that differ from `previous` (all of them if the size changed).
    public func changes(since previous: PlayBuffer?) -> [(x: Int, y: Int, cell: PlayCell)] {
        var out: [(x: Int, y: Int, cell: PlayCell)] = []
        let same = previous.map { $0.width == width && $0.height == height } ?? false
        for y in 0..<height {
            for x in 0..<width {
                let cell = self[x, y]
                if !same || previous![x, y] != cell { out.append((x, y, cell)) }
            }
        }
        return out
    }

    static func printable(_ c: Character) -> Character {
        guard let scalar = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return "?" }
        if scalar.value < 0x20 || scalar.value == 0x7F { return "?" }
        if scalar.isASCII { return c }
        // Wide (CJK, emoji) and zero-width characters would shift the rest of the row.
        if scalar.properties.isEmojiPresentation || scalar.properties.generalCategory == .nonspacingMark
            || (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
            || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
            || (0xFE30...0xFE4F).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value)
            || (0xFFE0...0xFFE6).contains(scalar.value) || scalar.value >= 0x1F000 {
            return "?"
        }
        return c
    }
}
