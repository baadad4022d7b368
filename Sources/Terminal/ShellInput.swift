import Foundation

/// One line typed at the shell, parsed: Lua to evaluate, or a dot command.
public enum ShellInput: Equatable, Sendable {
    case empty
    /// Lua source for an `Action = Eval` message.
    case eval(String)
    /// `.load FILE`: the file, bundled with its local requires.
    case load(String)
    /// `.editor`: collect lines until `.done` or `.cancel`.
    case editor
    case done
    case cancel
    /// `.monitor`: toggle printing what the process prints on its own (cron ticks).
    case monitor
    /// `.live`: toggle printing every event of the process's stream.
    case live
    /// `.inbox [N]`: the Inbox's size and its last N messages.
    case inbox(Int)
    case help
    case exit
    /// A dot command that is not one of these, or one used wrongly (the words say why).
    case invalid(String)

    /// How many Inbox messages `.inbox` shows by default.
    public static let defaultInboxCount = 5

    /// Parses one line. A line that starts with `.` is a command; anything else is Lua
    /// (so `.5 + 1` would be a command: write `0.5 + 1`).
    public static func parse(_ line: String) -> ShellInput {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .empty }
        guard trimmed.hasPrefix(".") else { return .eval(line) }
        let words = trimmed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let name = String(words[0].dropFirst())
        let argument = words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : ""
        switch name {
        case "load":
            guard !argument.isEmpty else { return .invalid(".load needs a file: .load FILE.lua") }
            return .load(unquoted(argument))
        case "inbox":
            if argument.isEmpty { return .inbox(defaultInboxCount) }
            guard let count = Int(argument), count >= 0 else { return .invalid(".inbox takes a count: .inbox 10") }
            return .inbox(min(count, 100))
        case "editor", "done", "cancel", "monitor", "live", "help", "exit":
            guard argument.isEmpty else { return .invalid(".\(name) takes no argument") }
            switch name {
            case "editor": return .editor
            case "done": return .done
            case "cancel": return .cancel
            case "monitor": return .monitor
            case "live": return .live
            case "help": return .help
            default: return .exit
            }
        default:
            return .invalid("unknown command .\(name) (.help lists them)")
        }
    }

    private static func unquoted(_ text: String) -> String {
        for quote in ["\"", "'"] where text.count >= 2 && text.hasPrefix(quote) && text.hasSuffix(quote) {
            return String(text.dropFirst().dropLast())
        }
        return text
    }

    /// What `.help` prints.
    public static let helpText = """
        Each line is Lua, evaluated by the process (Action = Eval); its value and prints are shown.
          .load FILE.lua   evaluate a file, with the local modules it requires bundled in
          .editor          type several lines; .done sends them, .cancel drops them
          .monitor         toggle: show what the process prints by itself (cron ticks)
          .live            toggle: show every event of the process's stream
          .inbox [N]       the Inbox's size and its last N messages (default 5)
          .help            this text
          .exit            leave (or Ctrl-D on an empty line)
        """
}
