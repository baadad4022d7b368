/// Something the shell shows. The console decides how (colour, which stream, above the
/// line being typed); tests collect them.
public enum ShellOutput: Equatable, Sendable {
    /// What the process printed, or the value of an Eval.
    case output(String)
    /// A failure in plain words: the process's Error, or why the server refused (red).
    case error(String)
    /// The shell's own words (`.help`, "monitor on", ...).
    case note(String)
    /// A line from the process's stream, printed in the background (`.monitor`, `.live`).
    case event(String)
    /// An error event from the stream (red).
    case eventError(String)

    public var text: String {
        switch self {
        case .output(let text), .error(let text), .note(let text), .event(let text), .eventError(let text): text
        }
    }

    public var isError: Bool {
        switch self {
        case .error, .eventError: true
        default: false
        }
    }
}
