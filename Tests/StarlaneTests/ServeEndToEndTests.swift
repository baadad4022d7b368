import Foundation
import Testing

/// `starlane serve` as a user runs it, driven over real sockets by the CLI client
/// and by an independent Python client (tools/starlane_client.py).
@Suite(.serialized) struct ServeEndToEndTests {
    static let counter = """
        Count = 0
        Handlers.add('Add', 'Add', function(msg)
          Count = Count + (tonumber(msg.Data) or 0)
          Send({ device = 'patch@1.0', count = Count })
          msg.reply({ Action = 'Added', Data = tostring(Count) })
        end)
        """

    final class Server {
        let running: Starlane.Running
        let url: String

        init(db: String) throws {
            running = try Starlane.start(["serve", "--db", db, "--port", "0", "--shards", "2", "--bare"])
            guard let line = running.line(prefix: "starlane: node", seconds: 30),
                  let range = line.range(of: "http://") else {
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve did not start"])
            }
            url = String(line[range.lowerBound...].prefix { $0 != " " })
        }

        func stop() { running.kill(SIGTERM) }
    }

    func python(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Starlane.root.appendingPathComponent("tools/starlane_client.py").path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func pythonImplementsTheDocumentedSigningFormat() throws {
        let (status, out) = try python(["example"])
        #expect(status == 0, "\(out)")
        // The values the Swift test pins (IdentityTests.workedExampleIsStable) and PROTOCOL.md prints.
        #expect(out.contains("\"id\": \"fpm6p5fYdf7F-km0hZAF6m1mbCmGvZ8NiuqZjjIh-lE\""), "\(out)")
        #expect(out.contains("\"address\": \"Vkdap1RjR0wChd9dvyvKtz2mUTWIOem3dIGy6rEHcIw\""))
    }

    @Test func aUserHostsANodeAndDrivesItFromTheCommandLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("world.db").path
        let key = directory.appendingPathComponent("me.json").path
        let module = directory.appendingPathComponent("counter.lua").path
        try Self.counter.write(toFile: module, atomically: true, encoding: .utf8)

        let keygen = try Starlane.run(["keygen", "--out", key])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let address = String(keygen.stdout.prefix(43))

        var server = try Server(db: db)
        let spawn = try Starlane.run(["spawn", "--server", server.url, "--key", key, "--module", module])
        #expect(spawn.status == 0, "\(spawn.stderr)")
        let pid = String(spawn.stdout.prefix(43))

        // A follower started now sees the messages sent after it.
        let watch = try Starlane.start(["watch", "--server", server.url, pid, "--from", "0", "--count", "3", "--json"])

        let send = try Starlane.run(["send", "--server", server.url, "--key", key, "--to", pid,
                                     "--tag", "Action=Add", "--data", "5", "--wait"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(send.stdout.contains("slot 1") && send.stdout.contains("Action=Added 5"), "\(send.stdout)")
        #expect(send.stdout.contains("→ \(address)"))

        // The independent Python client signs its own message; a replay of it is refused.
        let seed = String(repeating: "ab", count: 32)
        let first = try python(["push", server.url, pid, "Action=Add", "--data", "2", "--nonce", "py-1", "--seed", seed, "--wait"])
        #expect(first.status == 0 && first.stdout.hasPrefix("200 ") && first.stdout.contains("\"slot\":2"), "\(first.stdout)")
        let replay = try python(["push", server.url, pid, "Action=Add", "--data", "2", "--nonce", "py-1", "--seed", seed])
        #expect(replay.status == 1 && replay.stdout.hasPrefix("409 "), "\(replay.stdout)")

        let state = try Starlane.run(["state", "--server", server.url, pid, "count"])
        #expect(state.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "7")

        // Both replies went to clients (the CLI key, the Python key); slot 0's output is empty.
        #expect(watch.line(prefix: "{\"id\":\"2.0\"", seconds: 10) != nil)

        // The log, fetched over HTTP, replays and verifies offline.
        let log = try Starlane.run(["log", "--server", server.url, pid])
        let export = directory.appendingPathComponent("export.jsonl").path
        try log.stdout.write(toFile: export, atomically: true, encoding: .utf8)
        let verify = try Starlane.run(["verify", "--log", export, "--quiet"])
        #expect(verify.status == 0 && verify.stdout.hasPrefix("OK"), "\(verify.stdout) \(verify.stderr)")

        // A restart keeps the world, and the replay stays refused (the id is in the log).
        server.stop()
        server = try Server(db: db)
        let after = try Starlane.run(["state", "--server", server.url, pid, "count"])
        #expect(after.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "7")
        let replayAfter = try python(["push", server.url, pid, "Action=Add", "--data", "2", "--nonce", "py-1", "--seed", seed])
        #expect(replayAfter.stdout.hasPrefix("409 "), "\(replayAfter.stdout)")
        let stream = try python(["stream", server.url, pid, "--from", "0", "--count", "2"])
        #expect(stream.stdout.components(separatedBy: "\n").filter { $0.contains("\"event\": \"message\"") }.count == 2,
                "\(stream.stdout)")

        // Errors in plain words, with a non-zero exit.
        let unknown = try Starlane.run(["send", "--server", server.url, "--key", key, "--to", String(repeating: "A", count: 43),
                                        "--tag", "Action=Add"])
        #expect(unknown.status == 1 && unknown.stderr.contains("404: unknown process"), "\(unknown.stderr)")
        let noKey = try Starlane.run(["send", "--server", server.url, "--key", directory.appendingPathComponent("none").path,
                                      "--to", pid, "--tag", "Action=Add"])
        #expect(noKey.status == 1 && noKey.stderr.contains("starlane keygen"), "\(noKey.stderr)")
        server.stop()
        let down = try Starlane.run(["state", "--server", server.url, pid])
        #expect(down.status == 1 && down.stderr.contains("cannot reach"), "\(down.stderr)")
    }
}
