import ArgumentParser
import Foundation
import Identity
import Terminal

/// `starlane shell PID`: the aos-like shell (docs/SHELL.md).
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "An interactive Lua shell on a process you own (each line is an Eval).",
        discussion: "Dot commands: .load FILE.lua, .editor, .monitor, .live, .inbox, .help, .exit. See docs/SHELL.md.")

    @Argument(help: "The process id.") var process: String

    @Option(help: "The node's gateway.")
    var server = "http://127.0.0.1:8734"

    @Option(help: "The key file. Default: ~/.starlane/key.json (or $STARLANE_HOME/key.json).")
    var key: String?

    @Option(name: .customLong("run"), help: "Evaluate this Lua, print its output and exit (1 if it failed).")
    var code: String?

    func run() throws {
        let key = try reporting { try KeyFile.load(self.key ?? KeyFile.defaultPath) }
        let status = Shell.run(server: server, key: key, process: process, run: code)
        if status != 0 { throw ExitCode(status) }
    }
}
