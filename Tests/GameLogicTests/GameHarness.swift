import Foundation
import Cluster
import Game
import Ledger

/// A node on a temporary database with the tutorial world, ticked by hand (no cron):
/// the game's Lua runs in the real runtime, and every tick is a `Tick` pushed as the
/// world's owner followed by `waitUntilIdle`, so each tick is fully resolved, handed
/// off and reported before the test looks.
final class GameHarness: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tutorial = try! GameMap.load(path: root.appendingPathComponent("Maps/tutorial.json").path)
    static let bundle = try! GameBundle(directory: root.appendingPathComponent("GameLogic"))

    struct Player {
        var name: String
        var address: String
        var id: String
    }

    let directory: URL
    var configuration: NodeConfiguration
    var node: Node
    var world: GameWorld
    let map: GameMap

    init(map: GameMap = GameHarness.tutorial, shards: Int = 2, configure: (inout NodeConfiguration) -> Void = { _ in }) async throws {
        // Memory-backed when the system has it: these tests make thousands of commits.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        directory = base.appendingPathComponent("starlane-game-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configuration = NodeConfiguration(databasePath: directory.appendingPathComponent("node.db").path)
        configuration.shards = shards
        configure(&configuration)
        self.map = map
        node = try Node(configuration: configuration)
        try node.start()
        world = try await GameHost.start(node: node, bundle: Self.bundle, map: map, cron: false)
        try await node.waitUntilIdle()
    }

    /// Stops the node and starts another on the same database, finding the world again.
    func restart() async throws {
        node.stop()
        node = try Node(configuration: configuration)
        try node.start()
        world = try await GameHost.start(node: node, bundle: Self.bundle, map: map, cron: false)
        try await node.waitUntilIdle()
    }

    static func address(_ name: String) -> String { Identifiers.derive("test-player", name) }

    func join(_ name: String) async throws -> Player {
        let address = Self.address(name)
        let id = try await world.join(address: address, name: name)
        try await node.waitUntilIdle()
        return Player(name: name, address: address, id: id)
    }

    /// One tick, fully resolved.
    func tick(_ count: Int = 1) async throws {
        for _ in 0..<count {
            let receipt = try await world.tick()
            precondition(receipt.result.error == nil, "Tick failed: \(receipt.result.error!)")
            try await node.waitUntilIdle()
        }
    }

    /// An order from the player's key; waits until its effects (relay, errors) settle.
    @discardableResult
    func order(_ p: Player, _ action: String, _ tags: [String: String] = [:], data: String = "", from: String? = nil) async throws -> PushReceipt {
        let list = tags.keys.sorted().map { Tag($0, tags[$0]!) }
        let receipt = try await node.push(to: p.id, from: from ?? p.address, tags: [Tag("Action", action)] + list, data: data)
        try await node.waitUntilIdle()
        return receipt
    }

    func sectorID(_ name: String) async throws -> String {
        guard let id = try await world.sectorIDs()[name] else { throw GameHostError("no sector \(name)") }
        return id
    }

    func lua(_ process: String, _ source: String) async throws -> String {
        try await node.inspect(process, source) ?? ""
    }

    func sectorDigest(_ name: String) async throws -> String {
        try await lua(sectorID(name), "return SectorDigest()")
    }

    func playerDigest(_ p: Player) async throws -> String {
        try await lua(p.id, "return PlayerDigest()")
    }

    /// The ships of a sector: id -> (owner number, x, y, hull, cargo).
    func ships(_ sector: String) async throws -> [String: ShipState] {
        let text = try await lua(sectorID(sector), "return json.encode(SectorView().ships)")
        var out: [String: ShipState] = [:]
        let raw = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Any]] ?? []
        for row in raw {
            guard let id = row[0] as? String else { continue }
            let n = row.dropFirst().map { ($0 as? NSNumber)?.intValue ?? 0 }
            out[id] = ShipState(no: n[0], x: n[1], y: n[2], hull: n[3], cargo: n[4])
        }
        return out
    }

    /// Ships waiting to be placed in a sector (handed to it, not yet placed).
    func arriving(_ sector: String) async throws -> [String] {
        let text = try await lua(sectorID(sector), "local t = {} for id in pairs(S.arriving) do t[#t+1] = id end return table.concat(t, ',')")
        return text.split(separator: ",").map(String.init)
    }

    /// A number from a player's state (`P.credits`, ...).
    func playerValue(_ p: Player, _ expression: String) async throws -> Int {
        Int(try await lua(p.id, "return tostring(\(expression))")) ?? Int.min
    }

    /// Messages a process sent to non-process targets (its client's address), with
    /// the slot they came from, in slot order.
    func clientMessages(_ process: String, to address: String, after slot: Int64 = -1) throws -> [(slot: Int64, message: OutboundMessage)] {
        var out: [(Int64, OutboundMessage)] = []
        for record in try node.ledger.results(of: process, slots: (slot + 1)...Int64.max) {
            let messages = try JSONDecoder().decode([OutboundMessage].self, from: Data(record.messages.utf8))
            for m in messages where m.target == address { out.append((record.slot, m)) }
        }
        return out
    }

    /// Every message a slot range of a process emitted (to processes or not).
    func emitted(_ process: String, after slot: Int64 = -1) throws -> [OutboundMessage] {
        var out: [OutboundMessage] = []
        for record in try node.ledger.results(of: process, slots: (slot + 1)...Int64.max) {
            out += try JSONDecoder().decode([OutboundMessage].self, from: Data(record.messages.utf8))
        }
        return out
    }

    func head(_ process: String) throws -> Int64 { try node.ledger.chainHead(of: process)?.slot ?? -1 }

    deinit {
        node.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

struct ShipState: Equatable {
    var no: Int
    var x: Int
    var y: Int
    var hull: Int
    var cargo: Int
}

extension OutboundMessage {
    subscript(tag name: String) -> String? { tags[tag: name] }

    /// The message's JSON Data as a dictionary.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
    }
}
