import ArgumentParser
import Client
import Foundation
import Identity

/// Options every client command takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "The node's gateway.")
    var server = "http://127.0.0.1:8734"

    @Option(help: "The key file. Default: ~/.starlane/key.json (or $STARLANE_HOME/key.json).")
    var key: String?

    @Flag(help: "Print the server's JSON answer as is.")
    var json = false

    var keyPath: String { key ?? KeyFile.defaultPath }

    func client(needsKey: Bool) throws -> StarlaneClient {
        let clientKey = needsKey ? try KeyFile.load(keyPath) : nil
        return try StarlaneClient(server: server, key: clientKey)
    }
}

/// `Name=Value` → a tag.
func parseTags(_ pairs: [String]) throws -> [ClientTag] {
    try pairs.map { pair in
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw ValidationError("a tag is Name=Value, not \(pair)")
        }
        return ClientTag(String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
    }
}

/// Runs a client call, turning refusals into one clear line and exit status 1.
func reporting<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ClientError {
        FileHandle.standardError.write(Data("starlane: \(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as IdentityError {
        FileHandle.standardError.write(Data("starlane: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

func printJSON<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self))
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Create a client key (Ed25519) and print its address.")

    @Option(help: "Where to write it. Default: ~/.starlane/key.json (or $STARLANE_HOME/key.json).")
    var out: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let path = out ?? KeyFile.defaultPath
        let key = ClientKey()
        try reporting { try KeyFile.save(key, to: path) }
        if json { printJSON(["address": key.address, "file": path]) } else { print("\(key.address)  (\(path))") }
    }
}

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send a signed message to a process.")

    @OptionGroup var options: ClientOptions
    @Option(help: "The target process id.") var to: String
    @Option(name: .customLong("tag"), help: "A tag Name=Value (repeatable).") var tags: [String] = []
    @Option(help: "The message's data.") var data = ""
    @Flag(help: "Wait for the message's result and print it.") var wait = false

    func run() throws {
        let answer = try reporting {
            try options.client(needsKey: true).push(to: to, tags: try parseTags(tags), data: data, waitForResult: wait)
        }
        if options.json { printJSON(answer); return }
        print("\(answer.id) slot \(answer.slot)")
        if let result = answer.result { printResult(result) }
        if answer.result?.Error != nil { throw ExitCode(2) }
    }
}

struct SpawnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spawn", abstract: "Spawn a process from a Lua module; it is owned by your key.")

    @OptionGroup var options: ClientOptions
    @Option(help: "The module's Lua file.") var module: String
    @Option(name: .customLong("tag"), help: "A spawn tag Name=Value (repeatable).") var tags: [String] = []
    @Option(help: "Cron interval, e.g. 1-second or 500-milliseconds.") var cron: String?
    @Option(help: "Data of the spawn message.") var data = ""

    func run() throws {
        let source: String
        do { source = try String(contentsOfFile: module, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(module): \(error.localizedDescription)")
        }
        var all = try parseTags(tags)
        if let cron { all.append(ClientTag("Cron-Interval", cron)) }
        let answer = try reporting {
            try options.client(needsKey: true).spawn(source: source, tags: all, data: data, waitForResult: true)
        }
        if options.json { printJSON(answer); return }
        print(answer.process)
        if let result = answer.result { printResult(result) }
        if answer.result?.Error != nil { throw ExitCode(2) }
    }
}

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Print a process's public state (/now), or one key of it.")

    @OptionGroup var options: ClientOptions
    @Argument(help: "The process id.") var process: String
    @Argument(help: "A key, then optional path steps into its value.") var path: [String] = []

    func run() throws {
        print(try reporting { try options.client(needsKey: false).state(process, path: path) })
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Print a process's log (export lines) or its results.")

    @OptionGroup var options: ClientOptions
    @Argument(help: "The process id.") var process: String
    @Option(help: "First slot.") var from: Int64 = 0
    @Option(help: "Last slot.") var to: Int64?
    @Flag(help: "Print results instead of entries.") var results = false

    func run() throws {
        let client = try options.client(needsKey: false)
        let text = try reporting {
            results ? try client.results(process, from: from, to: to) : try client.slots(process, from: from, to: to)
        }
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }
}

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow what a process tells its clients (its event stream).")

    @OptionGroup var options: ClientOptions
    @Argument(help: "The process id.") var process: String
    @Option(help: "Start at this slot (default: from now on).") var from: Int64?
    @Option(help: "Resume after this event id.") var after: String?
    @Option(help: "Stop after this many events.") var count: Int?

    func run() throws {
        let follower = try StreamFollower(server: options.server, process: process, lastEventID: after, fromSlot: from)
        var seen = 0
        try reporting {
            try follower.follow(onConnection: { state in
                if case .lost(let why) = state {
                    FileHandle.standardError.write(Data("starlane: stream lost (\(why)); reconnecting\n".utf8))
                }
            }, onEvent: { event in
                seen += 1
                if options.json {
                    print("{\"id\":\"\(event.id ?? "")\",\"event\":\"\(event.event ?? "message")\",\"data\":\(event.data)}")
                } else {
                    print("[\(event.id ?? "-")] \(event.event ?? "message") \(event.data)")
                }
                fflush(nil)
                return count.map { seen < $0 } ?? true
            })
        }
    }
}

func printResult(_ result: ClientResult) {
    if !result.Output.isEmpty { print(result.Output) }
    for message in result.Messages {
        let action = message[tag: "Action"].map { " Action=\($0)" } ?? ""
        print("→ \(message.Target ?? "-")\(action) \(message.Data.prefix(200))")
    }
    if let error = result.Error { FileHandle.standardError.write(Data("error: \(error)\n".utf8)) }
}
