#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Client
import Foundation
import Identity

/// `starlane shell`: an aos-like shell on one process (docs/SHELL.md).
public enum Shell {
    /// Runs the shell until `.exit` or end of input, or (`run` given) evaluates that one
    /// chunk. Answers the exit status: 0, or 1 when the shell could not start or the
    /// `run` chunk failed.
    public static func run(server: String, key: ClientKey, process: String, run code: String? = nil) -> Int32 {
        let client: StarlaneClient
        do { client = try StarlaneClient(server: server, key: key) } catch {
            ShellConsole.write("starlane: \(error)\n", to: STDERR_FILENO)
            return 1
        }
        if let code { return runOnce(client: client, process: process, code: code) }

        let console = ShellConsole(historyPath: LineHistory.path(for: process))
        let session = ShellSession(client: client, process: process, coloured: console.coloured, emit: { console.show($0) })
        do { try session.connect() } catch {
            ShellConsole.write("starlane: \(error)\n", to: STDERR_FILENO)
            return 1
        }
        defer { session.close() }
        if console.interactive {
            console.show(.note("starlane shell on \(process) at \(server) as \(key.address). .help for commands, .exit to leave."))
        }
        while true {
            let prompt = session.editorLines == nil ? session.prompt : "... "
            guard let line = console.readLine(prompt: prompt) else { return 0 }
            if session.handle(line) == .exit { return 0 }
        }
    }

    private static func runOnce(client: StarlaneClient, process: String, code: String) -> Int32 {
        let session = ShellSession(client: client, process: process, emit: { _ in })
        do {
            let result = try session.eval(code)
            let output = result.Output.hasSuffix("\n") || result.Output.isEmpty ? result.Output : result.Output + "\n"
            ShellConsole.write(output, to: STDOUT_FILENO)
            if let error = result.Error {
                ShellConsole.write("error: \(error)\n", to: STDERR_FILENO)
                return 1
            }
            return 0
        } catch {
            ShellConsole.write("starlane: \(error)\n", to: STDERR_FILENO)
            return 1
        }
    }
}
