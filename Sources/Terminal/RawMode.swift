#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal in raw mode for as long as this lives: no echo, no line buffering, no
/// signals from Ctrl-C (the editor reads it as a byte). Output processing stays on, so
/// "\n" still starts a new line. The settings found at `init` come back at `restore`
/// or `deinit`, whichever is first. Both switch with `TCSANOW`, not `TCSAFLUSH`: keys
/// typed ahead while an Eval ran must reach the next line, not be discarded. See termios(3).
final class RawMode {
    private let descriptor: Int32
    private var original = termios()
    private var active = false

    /// Nil when `descriptor` is not a terminal.
    init?(descriptor: Int32 = STDIN_FILENO) {
        self.descriptor = descriptor
        guard isatty(descriptor) == 1, tcgetattr(descriptor, &original) == 0 else { return nil }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | BRKINT | INPCK | ISTRIP)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(descriptor, TCSANOW, &raw) == 0 else { return nil }
        active = true
    }

    func restore() {
        guard active else { return }
        active = false
        _ = tcsetattr(descriptor, TCSANOW, &original)
    }

    deinit { restore() }
}

@available(*, unavailable) extension RawMode: Sendable {}
