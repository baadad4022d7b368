import CCurses
import Foundation

/// What reading the keyboard gave.
enum PlayInput: Equatable {
    case key(PlayKey)
    /// The terminal changed size (ncurses turns SIGWINCH into KEY_RESIZE).
    case resize
    /// Nothing within the timeout.
    case timeout
    /// A key the client has no use for.
    case other
}

/// The curses screen: the one owner of ncurses' state. It copies only the cells of a
/// `PlayBuffer` that changed since the last frame into the window, then
/// `wnoutrefresh` + `doupdate`, so the terminal gets the difference and the screen
/// is never cleared per frame. Use it from one thread only (the UI thread).
final class PlayTerminal {
    private let window: UnsafeMutablePointer<WINDOW>
    private var previous: PlayBuffer?
    private var colours = false
    private var closed = false
    /// Reads that failed at once instead of waiting: a terminal that hung up.
    private var instantFailures = 0

    /// True once the terminal is gone (its window closed): every read fails at once.
    var isGone: Bool { instantFailures >= 50 }

    /// Attribute bits of ncurses.h (`NCURSES_BITS(1, n)`: 1 << (n + 8)); Swift does not
    /// import those macros.
    private static let underline: attr_t = 1 << 17
    private static let reverse: attr_t = 1 << 18
    private static let dim: attr_t = 1 << 20
    private static let bold: attr_t = 1 << 21

    init() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw PlayError("starlane play needs a terminal (standard input and output are not one)")
        }
        setlocale(LC_ALL, "")
        guard let window = initscr() else { throw PlayError("cannot start the terminal screen (is TERM set?)") }
        self.window = window
        raw()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        wtimeout(window, 100)
        if has_colors() {
            start_color()
            use_default_colors()
            let table: [(PlayColour, Int32)] = [(.red, COLOR_RED), (.green, COLOR_GREEN), (.yellow, COLOR_YELLOW),
                                                (.blue, COLOR_BLUE), (.magenta, COLOR_MAGENTA), (.cyan, COLOR_CYAN),
                                                (.white, COLOR_WHITE)]
            for (colour, code) in table { init_pair(Int16(colour.rawValue), Int16(code), -1) }
            colours = true
        }
    }

    deinit { close() }

    /// Gives the terminal back (leaves curses mode). Safe to call twice.
    func close() {
        guard !closed else { return }
        closed = true
        endwin()
    }

    var size: (width: Int, height: Int) { (Int(getmaxx(window)), Int(getmaxy(window))) }

    /// Waits up to `milliseconds` for a key (0: only what is already typed).
    func read(milliseconds: Int32) -> PlayInput {
        wtimeout(window, milliseconds)
        var ch: wint_t = 0
        let start = ContinuousClock.now
        let status = wget_wch(window, &ch)
        if status == ERR {
            if milliseconds >= 50 && ContinuousClock.now - start < .milliseconds(5) { instantFailures += 1 } else { instantFailures = 0 }
            return .timeout
        }
        instantFailures = 0
        if status == KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_RESIZE: return .resize
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_SR: return .key(.shiftUp)
            case KEY_SF: return .key(.shiftDown)
            case KEY_SLEFT: return .key(.shiftLeft)
            case KEY_SRIGHT: return .key(.shiftRight)
            case KEY_BTAB: return .key(.backTab)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            default: return .other
            }
        }
        switch ch {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 12: return .key(.redraw)
        case 3: return .key(.char("q"))  // Ctrl-C quits as q does (raw mode: no SIGINT).
        default:
            guard ch >= 32, let scalar = Unicode.Scalar(UInt32(ch)) else { return .other }
            return .key(.char(Character(scalar)))
        }
    }

    /// Forgets what is on the screen: the next frame is drawn in full (after a resize,
    /// or Ctrl-L when something else scribbled on the terminal).
    func invalidate(clear: Bool) {
        previous = nil
        if clear { clearok(window, true) }
    }

    /// Draws the cells that changed since the last frame, then updates the terminal.
    func draw(_ buffer: PlayBuffer) {
        for change in buffer.changes(since: previous) {
            let style = change.cell.style
            var attributes: attr_t = 0
            if style.bold { attributes |= Self.bold }
            if style.dim { attributes |= Self.dim }
            if style.reverse { attributes |= Self.reverse }
            if style.underline { attributes |= Self.underline }
            let pair: Int16 = colours ? Int16(style.colour.rawValue) : 0
            wattr_set(window, attributes, pair, nil)
            wmove(window, Int32(change.y), Int32(change.x))
            let text = String(change.cell.character)
            _ = text.withCString { waddnstr(window, $0, -1) }
        }
        wattr_set(window, 0, 0, nil)
        previous = buffer
        wnoutrefresh(window)
        doupdate()
    }
}

/// A failure of the client, in plain words.
public struct PlayError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
