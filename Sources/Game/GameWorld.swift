import Cluster
import Foundation

/// A running world: its process id and the helpers the gateway, tools and tests use
/// to join players, give orders and read state. Every call goes through the node's
/// public API (push, inspect), so it works from any thread.
public final class GameWorld: Sendable {
    /// The ids of the stored modules.
    public struct Modules: Sendable, Equatable {
        public var world: String
        public var sector: String
        public var player: String
    }

    /// What the world says about itself (`WorldSummary()` in world.lua).
    public struct Summary: Decodable, Sendable, Equatable {
        public var name: String?
        public var initialised: Bool
        public var ready: Bool
        public var tick: Int
        /// Sector name -> process id.
        public var sectors: [String: String]
        /// Player key address -> player process id.
        public var players: [String: String]
        /// Sectors that get ticks (they have ships or owned planets).
        public var active: [String]

        enum CodingKeys: String, CodingKey { case name, initialised, ready, tick, sectors, players, active }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            initialised = try c.decode(Bool.self, forKey: .initialised)
            ready = try c.decode(Bool.self, forKey: .ready)
            tick = try c.decode(Int.self, forKey: .tick)
            // The Lua json codec writes an empty table as [].
            sectors = (try? c.decode([String: String].self, forKey: .sectors)) ?? [:]
            players = (try? c.decode([String: String].self, forKey: .players)) ?? [:]
            active = (try? c.decode([String].self, forKey: .active)) ?? []
        }
    }

    public let node: Node
    public let worldID: String
    /// The world's AO owner: the only sender besides its cron whose `Tick` counts.
    public let owner: String
    public let map: GameMap
    public let modules: Modules

    init(node: Node, worldID: String, owner: String, map: GameMap, modules: Modules) {
        self.node = node
        self.worldID = worldID
        self.owner = owner
        self.map = map
        self.modules = modules
    }

    /// The world's state summary.
    public func summary() async throws -> Summary {
        guard let text = try await node.inspect(worldID, "return WorldSummary()") else {
            throw GameHostError("the world process has no WorldSummary")
        }
        return try JSONDecoder().decode(Summary.self, from: Data(text.utf8))
    }

    /// Sector name -> process id.
    public func sectorIDs() async throws -> [String: String] { try await summary().sectors }

    /// The player process of a key address, or nil when it has not joined (yet).
    public func playerID(for address: String) async throws -> String? {
        let quoted = "\"" + address.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        let text = try await node.inspect(worldID, "return PlayerProcess(\(quoted))")
        return text.flatMap { $0.isEmpty || $0 == "nil" ? nil : $0 }
    }

    /// Joins `address` (idempotent: a known address gets its player back) and waits
    /// until its player process exists; returns the player process id.
    public func join(address: String, name: String? = nil, timeout: Duration = .seconds(30)) async throws -> String {
        if let known = try await playerID(for: address) { return known }
        var tags = [Tag("Action", "Join")]
        if let name { tags.append(Tag("Player-Name", name)) }
        let receipt = try await node.push(to: worldID, from: address, tags: tags)
        if let error = receipt.result.error { throw GameHostError("Join failed: \(error)") }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let id = try await playerID(for: address) { return id }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw GameHostError("the player process of \(address) did not appear within \(timeout)")
    }

    /// Pushes one `Tick` as the world's owner (worlds started with `cron: false`).
    @discardableResult
    public func tick() async throws -> PushReceipt {
        try await node.push(to: worldID, from: owner, tags: [Tag("Action", "Tick")])
    }

    /// Gives an order as the player's key: pushes `Action = action` with `tags` to the
    /// player process of `address`.
    @discardableResult
    public func order(from address: String, player: String, action: String, tags: [Tag] = [], data: String = "") async throws -> PushReceipt {
        try await node.push(to: player, from: address, tags: [Tag("Action", action)] + tags, data: data)
    }

    /// Polls until the world has spawned and set up every sector.
    public func waitUntilReady(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await summary().ready { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw GameHostError("the world \(worldID) was not ready within \(timeout)")
    }
}
