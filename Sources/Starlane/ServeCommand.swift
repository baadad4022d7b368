import ArgumentParser
import Cluster
import Foundation
import Game
import Gateway

/// `starlane serve`: a node with its durable log and the HTTP gateway in front of it,
/// hosting the world of a map (or, with --bare, no world: processes only).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Host a world: its processes, their durable log (SQLite) and the HTTP gateway.")

    @Option(help: "The world's map. Default: Maps/\(ServeCommand.defaultMap).")
    var map: String?

    @Option(help: "The game's Lua (GameLogic/). Default: found beside the current directory or the binary.")
    var game: String?

    @Option(help: "Milliseconds between ticks; default: the map's (fixed when the world is first created).")
    var tickMs: Int?

    @Flag(help: "Host no world: a node for any processes you spawn.")
    var bare = false

    @Option(help: "The node's SQLite database (created if missing; a restart continues its world).")
    var db = "starlane.db"

    @Option(help: "Address to listen on. 0.0.0.0 exposes the node to the network.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port: UInt16 = 8734

    @Option(help: "Loops (threads) running processes. Default: one per core.")
    var shards: Int?

    @Option(help: "Largest request body, in bytes.")
    var maxBody = 1 << 20

    @Option(help: "Most connections at once.")
    var maxConnections = 1_024

    @Option(help: "Signed messages one key may send per second (its burst is twice this).")
    var rateLimit = 500.0

    func run() throws {
        let feed = CommitFeed()
        var nodeConfiguration = NodeConfiguration(databasePath: db)
        if let shards { nodeConfiguration.shards = shards }
        nodeConfiguration.onCommit = feed.publish
        let node = try Node(configuration: nodeConfiguration)
        try node.start()
        var configuration = GatewayConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.http.maxBodyBytes = maxBody
        configuration.http.maxConnections = maxConnections
        configuration.messagesPerSecondPerKey = rateLimit
        configuration.messageBurstPerKey = rateLimit * 2
        var world: GameWorld?
        if !bare {
            do {
                world = try startWorld(node)
            } catch {
                node.stop()
                throw error
            }
        }
        if let world { configuration.services["world"] = world.worldID }
        let gateway = Gateway(node: node, feed: feed, configuration: configuration)
        let bound: UInt16
        do {
            bound = try gateway.start()
        } catch {
            node.stop()
            throw ValidationError("cannot listen on \(host):\(port): \(error)")
        }
        // Stop taking requests first, then let the node finish what it committed to.
        node.stopOnSignals { _ in gateway.stop() }
        let recovery = node.recovery
        print("starlane: node \(node.ledger.nodeID) serving http://\(host):\(bound) "
            + "(db \(db), \(node.shardCount) shards, \(recovery.processes) processes recovered)")
        if let world {
            print("starlane: world \"\(world.map.name)\" is process \(world.worldID) "
                + "(\(world.map.sectors.count) sectors; join with POST /\(world.worldID)/push Action=Join)")
        }
        fflush(nil)
        node.waitUntilStopped()
        gateway.stop()
        print("starlane: stopped cleanly")
    }

    static let defaultMap = "tutorial.json"

    /// Finds the map and the game's Lua, then starts the world (or finds it again).
    func startWorld(_ node: Node) throws -> GameWorld {
        let mapPath = try map ?? Self.locate("Maps/\(Self.defaultMap)")
        let gameDirectory = try game ?? Self.locate("GameLogic")
        let gameMap: GameMap
        do { gameMap = try GameMap.load(path: mapPath) } catch {
            throw ValidationError("the map \(mapPath) is not valid:\n\(error)")
        }
        let bundle = try GameBundle(directory: URL(fileURLWithPath: gameDirectory))
        let ticks = tickMs
        return try ClusterBench.blocking {
            try await GameHost.start(node: node, bundle: bundle, map: gameMap, tickMilliseconds: ticks)
        }
    }

    /// `relative` under the current directory, else under an ancestor of the binary
    /// (`.build/release/starlane` sits three levels below the repository).
    static func locate(_ relative: String) throws -> String {
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory)
            directory = directory.deletingLastPathComponent()
        }
        for base in candidates {
            let path = base.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw ValidationError("cannot find \(relative) here or beside the binary; name it with --map / --game")
    }
}
