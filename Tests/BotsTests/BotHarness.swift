import Bots
import Client
import Cluster
import Foundation
import Game
import Gateway
import LuaVM

/// A node with the tutorial world (ticked by the test as the world's owner, no cron),
/// its gateway on a free port, and a `BotHost` whose bots play through that gateway.
final class BotHarness: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tutorial = try! GameMap.load(path: root.appendingPathComponent("Maps/tutorial.json").path)
    static let bundle = try! GameBundle(directory: root.appendingPathComponent("GameLogic"))

    static func sample(_ name: String) -> String {
        try! String(contentsOf: root.appendingPathComponent("GameLogic/bots/\(name)"), encoding: .utf8)
    }

    let directory: URL
    let node: Node
    let gateway: Gateway
    let world: GameWorld
    let port: UInt16
    let lines = Lines()
    let host: BotHost
    private(set) var ticks = 0

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [String] = []
        func append(_ line: String) { lock.lock(); all.append(line); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return all.joined(separator: "\n") }
    }

    init(threads: Int = 2) async throws {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        directory = base.appendingPathComponent("starlane-bots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let feed = CommitFeed()
        var configuration = NodeConfiguration(databasePath: directory.appendingPathComponent("node.db").path)
        configuration.shards = 2
        configuration.onCommit = feed.publish
        node = try Node(configuration: configuration)
        try node.start()
        var gatewayConfiguration = GatewayConfiguration()
        gatewayConfiguration.port = 0
        gateway = Gateway(node: node, feed: feed, configuration: gatewayConfiguration)
        port = try gateway.start()
        world = try await GameHost.start(node: node, bundle: Self.bundle, map: Self.tutorial, cron: false)
        try await node.waitUntilIdle()
        let lines = self.lines
        host = BotHost(threads: threads) { lines.append($0) }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts an outside bot running `script` and waits until it plays (joined, view in).
    @discardableResult
    func bot(_ script: String, name: String, scriptName: String? = nil, limits: LuaLimits = BotRuntime.defaultLimits,
             record: Bool = false, wait: Bool = true) async throws -> BotClient {
        var configuration = BotConfiguration(server: url, world: world.worldID, name: name,
                                             keyPath: directory.appendingPathComponent("keys/\(name).json").path,
                                             script: script, scriptName: scriptName ?? "\(name).lua", limits: limits)
        configuration.record = record
        let bot = host.add(configuration)
        if wait { try await waitUntilPlaying(bot) }
        return bot
    }

    func waitUntilPlaying(_ bot: BotClient, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let p = bot.progress
            if let stopped = p.stopped { throw GameHostError("bot \(bot.configuration.name) stopped: \(stopped)") }
            if p.player != nil, p.idle, p.started { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw GameHostError("bot \(bot.configuration.name) did not start playing in time; log:\n\(lines.text)")
    }

    /// One tick, fully resolved, then every bot has answered its updates and its orders
    /// have reached the sectors.
    func tick(_ count: Int = 1) async throws {
        for _ in 0..<count {
            ticks += 1
            let receipt = try await world.tick()
            precondition(receipt.result.error == nil, "Tick failed: \(receipt.result.error!)")
            try await node.waitUntilIdle()
            let started = ContinuousClock.now
            while true {
                let playing = host.all.map(\.progress).filter { $0.stopped == nil && $0.player != nil }
                let answered = playing.allSatisfy { $0.idle && $0.tick >= ticks }
                let quiet = playing.allSatisfy(\.idle) && ContinuousClock.now - started > .milliseconds(300)
                if answered || quiet || ContinuousClock.now - started > .seconds(5) { break }
                try await Task.sleep(for: .milliseconds(2))
            }
            try await node.waitUntilIdle()
        }
    }

    func lua(_ process: String, _ source: String) async throws -> String {
        try await node.inspect(process, source) ?? ""
    }

    /// A number from a player process (`P.credits`, ...).
    func playerValue(_ player: String, _ expression: String) async throws -> Int {
        Int(try await lua(player, "return tostring(\(expression))")) ?? Int.min
    }

    deinit {
        host.stop()
        gateway.stop()
        node.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
