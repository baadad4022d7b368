import ArgumentParser

/// Placeholder until the shell lands (replaced by the Terminal work).
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shell", abstract: "The aos-like shell (in progress).")
}
