import Foundation
import Testing

/// `starlane play` as people run it: the real binary in tmux against a real
/// `starlane serve`, read back with `tmux capture-pane`.
@Suite(.serialized) struct PlayEndToEndTests {
    /// `starlane serve` on a database, with its URL and world id read from its output.
    final class Server {
        let process = Process()
        private let output = Pipe()
        private(set) var url = ""
        private(set) var world = ""
        private(set) var port = ""

        init(db: String, port: String = "0") throws {
            process.executableURL = Starlane.binary
            process.arguments = ["serve", "--db", db, "--port", port, "--tick-ms", "200", "--shards", "2"]
            process.currentDirectoryURL = Starlane.root
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, process.isRunning, !text.contains("starlane: world") || !text.contains("\n", after: "starlane: world") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { Thread.sleep(forTimeInterval: 0.02) } else { text += String(decoding: chunk, as: UTF8.self) }
            }
            guard let urlStart = text.range(of: "http://"),
                  let worldLine = text.split(separator: "\n").first(where: { $0.hasPrefix("starlane: world") }),
                  let isProcess = worldLine.range(of: " is process ") else {
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve did not start: \(text)"])
            }
            url = String(text[urlStart.lowerBound...].prefix { $0 != " " && $0 != "\n" })
            self.port = String(url.split(separator: ":").last ?? "")
            world = String(worldLine[isProcess.upperBound...].prefix { $0 != " " })
        }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    /// A tmux server of our own (its own socket), so sessions never mix with anyone's.
    struct Tmux {
        let socket = "starlane-play-\(UUID().uuidString.prefix(8))"

        /// Runs tmux to completion. Spawned and reaped by hand: the tmux server that
        /// `new-session` forks keeps every inherited descriptor open, so Foundation's
        /// Process (which watches a descriptor) would never see the client exit.
        @discardableResult
        func run(_ arguments: [String]) -> (status: Int32, output: String) {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            let argv = (["/usr/bin/env", "tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
            let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { (argv + envp).forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp) == 0 else { return (-1, "cannot run tmux") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            let output = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return ((status >> 8) & 0xff, output)
        }

        /// Starts `starlane play` in a detached session of `width`×`height`; the shell
        /// keeps the pane after the client exits, with its status, for diagnosis.
        func play(_ session: String, width: Int = 100, height: Int = 30, arguments: [String]) {
            let command = ([Starlane.binary.path, "play"] + arguments).map { "'\($0)'" }.joined(separator: " ")
            run(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", "-c", Starlane.root.path,
                 "TERM=tmux-256color \(command); echo \"EXITED $?\"; sleep 30"])
        }

        func screen(_ session: String) -> String { run(["capture-pane", "-p", "-t", session]).output }

        func keys(_ session: String, _ keys: String...) { run(["send-keys", "-t", session] + keys) }

        func type(_ session: String, _ text: String) { run(["send-keys", "-t", session, "-l", text]) }

        /// Polls the screen until `condition` holds; returns the last screen either way.
        func wait(_ session: String, seconds: Double, until condition: (String) -> Bool) -> (ok: Bool, screen: String) {
            let deadline = Date().addingTimeInterval(seconds)
            var last = ""
            while Date() < deadline {
                last = screen(session)
                if condition(last) { return (true, last) }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return (false, last)
        }

        /// Ends every session: kill-server, then (it may linger while panes exit)
        /// each pane's process group and the server itself.
        func killServer() {
            let panes = run(["list-panes", "-a", "-F", "#{pane_pid}"]).output.split(separator: "\n").compactMap { pid_t($0) }
            let server = pid_t(run(["display-message", "-p", "#{pid}"]).output.trimmingCharacters(in: .whitespacesAndNewlines))
            run(["kill-server"])
            for pane in panes where pane > 1 { kill(-pane, SIGKILL) }
            if let server, server > 1 { kill(server, SIGKILL) }
            try? FileManager.default.removeItem(atPath: "/tmp/tmux-\(getuid())/\(socket)")
        }
    }

    /// The two columns of map cell (x, y) on a screen (map rows start on line 2, after
    /// the header and the column ruler; each cell is two columns after a 3-column label).
    static func cell(_ screen: String, x: Int, y: Int) -> String {
        let lines = screen.components(separatedBy: "\n")
        guard lines.count > 2 + y else { return "" }
        let line = Array(lines[2 + y])
        let start = 3 + 2 * x
        return line.count >= start + 2 ? String(line[start..<(start + 2)]) : ""
    }

    @Test func playersJoinMoveChatSurviveARestartAndResize() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-play-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("world.db").path
        let annKey = directory.appendingPathComponent("ann.json").path
        let bobKey = directory.appendingPathComponent("bob.json").path
        let tmux = Tmux()
        var server = try Server(db: db)
        defer {
            tmux.killServer()
            server.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        // A new player: the key is created, the world found (GET /~info), the ships shown.
        tmux.play("ann", arguments: ["--server", server.url, "--key", annKey, "--name", "ann"])
        // The panel (the player's state) and the map (the sector's view) are two event
        // streams: wait for both, as a player's eye would.
        let joined = tmux.wait("ann", seconds: 20) {
            $0.contains("P1.1 Sol 2,1") && $0.contains("connected") && !$0.contains("STALE") && Self.cell($0, x: 2, y: 1) == "A1"
        }
        #expect(joined.ok, "\(joined.screen)")
        #expect(FileManager.default.fileExists(atPath: annKey))
        #expect(joined.screen.contains("STARLANE  ann (#1)  sector Sol"))
        #expect(Self.cell(joined.screen, x: 2, y: 1) == "A1", "\(joined.screen)")
        #expect(joined.screen.contains("P1.2 Sol") && joined.screen.contains("P1.3 Sol"))

        // Move: the cursor starts on P1.1; three steps right, then m.
        tmux.keys("ann", "l", "l", "l", "m")
        let moved = tmux.wait("ann", seconds: 15) { $0.contains("P1.1 Sol 5,1") && Self.cell($0, x: 5, y: 1) == "A1" }
        #expect(moved.ok, "\(moved.screen)")
        #expect(moved.screen.range(of: #"rtt \d+ ms"#, options: .regularExpression) != nil, "\(moved.screen)")

        // A refused order shows in plain words: the rock at 9,1.
        tmux.keys("ann", ":")
        tmux.type("ann", "move 9 1")
        tmux.keys("ann", "Enter")
        let refused = tmux.wait("ann", seconds: 10) { $0.contains("refused: move P1.1 to 9,1: cell 9,1 is '#'") }
        #expect(refused.ok, "\(refused.screen)")

        // Chat is per sector: player 2 goes to Deneb, so the third (bob, by --world) lands in Sol.
        let other = directory.appendingPathComponent("other.json").path
        _ = try Starlane.run(["keygen", "--out", other])
        let join = try Starlane.run(["send", "--server", server.url, "--key", other, "--to", server.world, "--tag", "Action=Join"])
        #expect(join.status == 0, "\(join.stderr)")
        tmux.play("bob", arguments: ["--server", server.url, "--key", bobKey, "--name", "bob", "--world", server.world])
        let bobIn = tmux.wait("bob", seconds: 20) { $0.contains("P3.1 Sol") && !$0.contains("STALE") }
        #expect(bobIn.ok, "\(bobIn.screen)")
        tmux.keys("ann", "t")
        tmux.type("ann", "hello bob")
        tmux.keys("ann", "Enter")
        tmux.keys("bob", "t")
        tmux.type("bob", "hi ann")
        tmux.keys("bob", "Enter")
        let annChat = tmux.wait("ann", seconds: 10) { $0.contains("ann: hello bob") && $0.contains("bob: hi ann") && !$0.contains("(sending)") }
        let bobChat = tmux.wait("bob", seconds: 10) { $0.contains("ann: hello bob") && $0.contains("bob: hi ann") }
        #expect(annChat.ok, "\(annChat.screen)")
        #expect(bobChat.ok, "\(bobChat.screen)")

        // The server stops: the client says so and marks its state stale; a restart on
        // the same database resumes the stream where it stopped (no line twice).
        let port = server.port
        server.stop()
        let lost = tmux.wait("ann", seconds: 10) { $0.contains("reconnecting") && $0.contains("STALE") }
        #expect(lost.ok, "\(lost.screen)")
        server = try Server(db: db, port: port)
        let back = tmux.wait("ann", seconds: 20) { $0.contains("| connected") && !$0.contains("STALE") }
        #expect(back.ok, "\(back.screen)")
        tmux.keys("ann", "t")
        tmux.type("ann", "back again")
        tmux.keys("ann", "Enter")
        let again = tmux.wait("bob", seconds: 15) { $0.contains("ann: back again") }
        #expect(again.ok, "\(again.screen)")
        let annAfter = tmux.wait("ann", seconds: 5) { $0.contains("ann: back again") }
        #expect(annAfter.screen.components(separatedBy: "ann: hello bob").count == 2, "\(annAfter.screen)")
        #expect(annAfter.screen.components(separatedBy: "bob: hi ann").count == 2, "\(annAfter.screen)")

        // Resizing redraws at the new size: the status line moves to the new second-last row.
        tmux.run(["resize-window", "-t", "ann", "-x", "120", "-y", "40"])
        let big = tmux.wait("ann", seconds: 5) { screen in
            let lines = screen.components(separatedBy: "\n")
            return lines.count >= 39 && lines[38].hasPrefix(" tick ") && lines[39].hasPrefix("hjkl/arrows")
        }
        #expect(big.ok, "\(big.screen)")
        tmux.run(["resize-window", "-t", "ann", "-x", "80", "-y", "24"])
        let small = tmux.wait("ann", seconds: 5) { screen in
            let lines = screen.components(separatedBy: "\n")
            return lines.count >= 23 && lines[22].hasPrefix(" tick ") && Self.cell(screen, x: 5, y: 1) == "A1"
        }
        #expect(small.ok, "\(small.screen)")

        // Help, then q quits cleanly.
        tmux.keys("bob", "?")
        let help = tmux.wait("bob", seconds: 5) { $0.contains("Starlane: keys") }
        #expect(help.ok, "\(help.screen)")
        tmux.keys("bob", "Escape", "q")
        let quit = tmux.wait("bob", seconds: 5) { $0.contains("EXITED 0") }
        #expect(quit.ok, "\(quit.screen)")
    }
}

private extension String {
    /// Whether `needle` occurs after the first occurrence of `marker`.
    func contains(_ needle: String, after marker: String) -> Bool {
        guard let r = range(of: marker) else { return false }
        return self[r.upperBound...].contains(needle)
    }
}
