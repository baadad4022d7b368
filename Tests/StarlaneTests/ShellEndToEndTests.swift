import Foundation
import Testing

/// `starlane shell` in a real terminal: a tmux session of its own (private tmux server),
/// driven with send-keys and read with capture-pane, against `starlane serve`.
@Suite(.serialized) struct ShellEndToEndTests {
    /// A tmux server of our own (`-L`), so the test never touches a user's sessions.
    final class Tmux {
        let socket = "starlane-shell-\(UUID().uuidString.prefix(8))"
        let session = "shell"

        /// Runs one tmux command. Not with Foundation's `Process`: it learns of a child's exit
        /// through a descriptor the child inherits, and the tmux server that the first command
        /// forks keeps that descriptor open, so `waitUntilExit` would never return.
        @discardableResult
        func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-tmux-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            let argv = ["tmux", "-L", socket, "-f", "/dev/null"] + arguments
            var cArguments = argv.map { strdup($0) } + [nil]
            defer { for pointer in cArguments { free(pointer) } }
            var pid: pid_t = 0
            let spawned = posix_spawnp(&pid, "tmux", &actions, nil, &cArguments, environ)
            guard spawned == 0 else { return (-1, "cannot run tmux: \(String(cString: strerror(spawned)))") }
            var status: Int32 = 0
            let deadline = Date().addingTimeInterval(10)
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Date() > deadline { kill(pid, SIGKILL); waitpid(pid, &status, 0); break }
                Thread.sleep(forTimeInterval: 0.01)
            }
            let output = String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self)
            return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : -1, output)
        }

        func start(_ command: String) throws {
            let started = try run(["new-session", "-d", "-s", session, "-x", "100", "-y", "30", command])
            #expect(started.status == 0, "\(started.output)")
        }

        func keys(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }

        func screen() -> String { (try? run(["capture-pane", "-p", "-t", session]).output) ?? "" }

        /// Polls the screen until `match` holds (at most `seconds`); answers the last screen.
        func waitFor(seconds: Double = 20, _ match: (String) -> Bool) -> (ok: Bool, screen: String) {
            let deadline = Date().addingTimeInterval(seconds)
            var last = ""
            while Date() < deadline {
                last = screen()
                if match(last) { return (true, last) }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return (false, last)
        }

        var sessionAlive: Bool { ((try? run(["has-session", "-t", session]))?.status ?? 1) == 0 }

        deinit { _ = try? run(["kill-server"]) }
    }

    static func lines(_ screen: String) -> [String] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// How many prompts are on the screen: one per line the shell has finished.
    static func prompts(_ screen: String) -> Int {
        lines(screen).filter { $0.hasPrefix("Hello@starlane[Inbox:1]>") }.count
    }

    @Test func aUserEvaluatesLuaRecallsHistoryAndSurvivesAnError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-shell-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("me.json").path
        let module = directory.appendingPathComponent("hello.lua").path
        try "Handlers.add('Hi', 'Hi', function(msg) print('hi') end)\n".write(toFile: module, atomically: true, encoding: .utf8)

        #expect(try Starlane.run(["keygen", "--out", key]).status == 0)
        let server = try ServeEndToEndTests.Server(db: directory.appendingPathComponent("world.db").path)
        defer { server.stop() }
        let spawn = try Starlane.run(["spawn", "--server", server.url, "--key", key, "--module", module, "--tag", "Name=Hello"])
        #expect(spawn.status == 0, "\(spawn.stderr)")
        let pid = String(spawn.stdout.prefix(43))

        let tmux = Tmux()
        let home = directory.appendingPathComponent("home").path
        try tmux.start("env STARLANE_HOME='\(home)' '\(Starlane.binary.path)' shell \(pid) --server \(server.url) --key '\(key)'")
        // capture-pane drops trailing spaces, so the prompt ends at ">".
        let prompt = tmux.waitFor { $0.contains("Hello@starlane[Inbox:1]>") }
        #expect(prompt.ok, "no prompt:\n\(prompt.screen)")

        try tmux.keys("X = 41 + 1", "Enter")
        let assigned = tmux.waitFor { Self.prompts($0) == 2 }
        #expect(assigned.ok, "no second prompt:\n\(assigned.screen)")
        try tmux.keys("X", "Enter")
        let answer = tmux.waitFor { Self.lines($0).contains("42") }
        #expect(answer.ok, "no 42:\n\(answer.screen)")

        // A syntax error is shown, and the shell and the process's state carry on.
        try tmux.keys("X = = 1", "Enter")
        let error = tmux.waitFor { $0.contains("unexpected symbol") }
        #expect(error.ok, "no error:\n\(error.screen)")
        try tmux.keys("X = X + 1", "Enter")
        let incremented = tmux.waitFor { Self.prompts($0) == 5 }
        #expect(incremented.ok, "no fifth prompt:\n\(incremented.screen)")
        // Up recalls the line just sent; Enter sends it again.
        try tmux.keys("Up")
        let recalled = tmux.waitFor { Self.lines($0).last(where: { !$0.isEmpty })?.hasSuffix("> X = X + 1") == true }
        #expect(recalled.ok, "up did not recall:\n\(recalled.screen)")
        try tmux.keys("Enter")
        let again = tmux.waitFor { Self.prompts($0) == 6 }
        #expect(again.ok, "no sixth prompt:\n\(again.screen)")
        try tmux.keys("X", "Enter")
        let after = tmux.waitFor { Self.lines($0).contains("44") }
        #expect(after.ok, "no 44:\n\(after.screen)")

        try tmux.keys(".exit", "Enter")
        let deadline = Date().addingTimeInterval(10)
        while tmux.sessionAlive, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!tmux.sessionAlive, "the shell did not exit on .exit")
        let history = try String(contentsOfFile: "\(home)/history/\(pid)", encoding: .utf8)
        #expect(history.hasSuffix("X = = 1\nX = X + 1\nX\n.exit\n"), "\(history)")

        // Scripts: --run answers one Eval with its exit status; piped lines are Evals too.
        let run = try Starlane.run(["shell", pid, "--server", server.url, "--key", key, "--run", "X * 2"])
        #expect(run.status == 0 && run.stdout == "88\n", "\(run)")
        let failed = try Starlane.run(["shell", pid, "--server", server.url, "--key", key, "--run", "X = = 1"])
        #expect(failed.status == 1 && failed.stderr.contains("unexpected symbol"), "\(failed)")
        let piped = try Starlane.run(["shell", pid, "--server", server.url, "--key", key], input: "Y = 3\nY * X\n")
        #expect(piped.status == 0 && piped.stdout == "132\n", "\(piped)")

        // A stranger's key is refused in the process's words.
        let stranger = directory.appendingPathComponent("stranger.json").path
        #expect(try Starlane.run(["keygen", "--out", stranger]).status == 0)
        let refused = try Starlane.run(["shell", pid, "--server", server.url, "--key", stranger, "--run", "X"])
        #expect(refused.status == 1 && refused.stderr.contains("Only the owner can Eval"), "\(refused)")
    }
}
