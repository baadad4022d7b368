import Cluster
import Foundation

/// Starts (or finds again) the world of a map on a node.
public enum GameHost {
    /// The owner of a world when the host names none: a fixed address, so the world's
    /// id is the same on every start of the same code and map.
    public static let defaultOwner = Identifiers.derive("starlane", "world-owner")

    /// The nonce of a map's world: the world's id depends only on the owner, the world
    /// module (its source) and the map's name.
    public static func nonce(for map: GameMap) -> String { "starlane-world:" + map.name }

    /// Stores the modules, spawns the world (unless it exists: a restarted node finds
    /// its world again), sends it the map (`Init`) unless it has one, and waits until
    /// every sector exists. `tickMilliseconds` overrides the map's tick; `cron: false`
    /// spawns the world without a cron, for tests and tools that push `Tick` themselves
    /// (as its owner). Cron and tick are fixed when the world is first spawned.
    public static func start(node: Node, bundle: GameBundle, map: GameMap, tickMilliseconds: Int? = nil,
                             cron: Bool = true, owner: String = defaultOwner,
                             readyTimeout: Duration = .seconds(120)) async throws -> GameWorld {
        let sectorModule = try await node.storeModule(bundle.sector)
        let playerModule = try await node.storeModule(bundle.player)
        let worldModule = try await node.storeModule(bundle.world)
        let nonce = nonce(for: map)
        var id = Identifiers.derive("spawn", owner, Identifiers.module(source: bundle.world), nonce)
        if try await !node.processIDs().contains(id) {
            var tags = [Tag("Name", "world \(map.name)"), Tag("World-Name", map.name)]
            if cron {
                let tick = tickMilliseconds ?? map.tickMilliseconds
                tags += [Tag("Cron-Interval", "\(tick)-milliseconds"), Tag("Cron-Tag-Action", "Tick")]
            }
            do {
                let receipt = try await node.spawn(module: bundle.world, owner: owner, tags: tags, nonce: nonce)
                if let error = receipt.result.error { throw GameHostError("the world failed to boot: \(error)") }
                id = receipt.process
            } catch NodeError.duplicate {
                // Spawned meanwhile (by an earlier start racing this one): the same world.
            }
        }
        let world = GameWorld(node: node, worldID: id, owner: owner, map: map, modules: .init(
            world: worldModule, sector: sectorModule, player: playerModule))
        if try await !world.summary().initialised {
            let receipt = try await node.push(to: id, from: owner, tags: [
                Tag("Action", "Init"), Tag("Content-Type", "application/json"),
                Tag("Sector-Module", sectorModule), Tag("Player-Module", playerModule),
            ], data: map.jsonText())
            if let error = receipt.result.error { throw GameHostError("the world refused its map: \(error)") }
        }
        try await world.waitUntilReady(timeout: readyTimeout)
        return world
    }
}

/// Why a world could not be started or used.
public struct GameHostError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
