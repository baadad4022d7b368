import ArgumentParser
import Bots
import Client
import Foundation
import Identity
import LuaVM

/// `starlane bot FILE.lua`: plays a Lua bot (docs/BOTS.md), from outside as a client of
/// the gateway, or with --hosted as an agent process spawned into the cluster.
struct BotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bot",
        abstract: "Play a Lua bot script: as a client (default) or hosted in the cluster (--hosted).")

    @Argument(help: "The bot's Lua script (defines on_update(view); see docs/BOTS.md).")
    var file: String

    @Option(help: "The node's gateway.")
    var server = "http://127.0.0.1:8734"

    @Option(help: "The world's process id. Default: the world the server hosts (GET /~info).")
    var world: String?

    @Option(help: "The player's name. Default: the script's file name.")
    var name: String?

    @Option(help: "The key file (one bot). Default: ~/.starlane/bots/NAME.json (or NAME-i.json with --count).")
    var key: String?

    @Option(help: "Run this many bots of the script, each with its own state and key.")
    var count = 1

    @Option(help: "Worker threads running the bots' Lua (outside bots).")
    var threads = 2

    @Option(help: "Instructions one call of the script may run (outside bots).")
    var budget: Int64 = BotRuntime.defaultLimits.instructionsPerCall

    @Option(help: "Memory cap of each bot's Lua state, in MiB (outside bots).")
    var memoryMb = BotRuntime.defaultLimits.memoryBytes >> 20

    @Option(help: "Stop after this many seconds and print each bot's progress (default: run until interrupted).")
    var seconds: Double?

    @Flag(help: "Spawn the script into the cluster as agent processes that own their players, then exit.")
    var hosted = false

    func validate() throws {
        guard count >= 1 && count <= 10_000 else { throw ValidationError("--count must be 1...10000") }
        guard threads >= 1 && threads <= 64 else { throw ValidationError("--threads must be 1...64") }
        if key != nil && count > 1 { throw ValidationError("--key names one key; with --count the keys go under ~/.starlane/bots/") }
    }

    func run() throws {
        let script: String
        do { script = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        let scriptName = (file as NSString).lastPathComponent
        let base = name ?? ((scriptName as NSString).deletingPathExtension)
        // A script that does not load is reported before anything joins.
        do { _ = try BotRuntime(script: script, name: scriptName) } catch {
            FileHandle.standardError.write(Data("starlane: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        let names = count == 1 ? [base] : (1...count).map { "\(base)-\($0)" }
        let world = try self.world ?? reporting { try StarlaneClient(server: server).worldID() }
        if hosted { return try spawnAgents(script: script, scriptName: scriptName, names: names, world: world) }
        try playOutside(script: script, scriptName: scriptName, names: names, world: world)
    }

    /// The key file of bot `name`.
    func keyPath(_ botName: String) -> String {
        if let key { return key }
        let home = (KeyFile.defaultPath as NSString).deletingLastPathComponent
        return ((home as NSString).appendingPathComponent("bots") as NSString).appendingPathComponent("\(botName).json")
    }

    private func playOutside(script: String, scriptName: String, names: [String], world: String) throws {
        let host = BotHost(threads: threads) { line in
            print(line)
            fflush(nil)
        }
        let limits = LuaLimits(memoryBytes: memoryMb << 20, instructionsPerCall: budget)
        for botName in names {
            host.add(BotConfiguration(server: server, world: world, name: botName, keyPath: keyPath(botName),
                                      script: script, scriptName: scriptName, limits: limits))
        }
        let deadline = seconds.map { Date().addingTimeInterval($0) }
        while deadline.map({ Date() < $0 }) ?? true {
            Thread.sleep(forTimeInterval: 0.2)
            if host.all.allSatisfy({ $0.progress.stopped != nil }) { break }
        }
        host.stop()
        var failed = 0
        for bot in host.all {
            let p = bot.progress
            if p.stopped != nil { failed += 1 }
            print("bot \(bot.configuration.name): tick \(p.tick), \(p.updates) updates, \(p.ordersSent) orders, "
                + "\(p.problems) problems\(p.stopped.map { ", stopped: \($0)" } ?? "")")
        }
        if failed == names.count { throw ExitCode(1) }
    }

    private func spawnAgents(script: String, scriptName: String, names: [String], world: String) throws {
        let module = BotAgent.module(script: script, scriptName: scriptName)
        var failures = 0
        for botName in names {
            let path = keyPath(botName)
            let client: StarlaneClient
            do {
                client = try StarlaneClient(server: server, key: try KeyFile.loadOrCreate(path).key)
            } catch {
                FileHandle.standardError.write(Data("starlane: \(botName): \(error)\n".utf8))
                throw ExitCode(1)
            }
            let tags = BotAgent.spawnTags(world: world, playerName: botName).map { ClientTag($0.0, $0.1) }
            do {
                let answer = try client.spawn(source: module, tags: tags, waitForResult: true)
                if let error = answer.result?.Error {
                    failures += 1
                    print("bot \(botName): the agent \(answer.process) failed to boot: \(error)")
                } else {
                    print("bot \(botName): agent \(answer.process) (errors at /\(answer.process)/now/errors, "
                        + "watch it with `starlane watch \(answer.process)`)")
                }
            } catch {
                failures += 1
                print("bot \(botName): cannot spawn the agent: \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
