import Foundation
import Testing
import Cluster
import Game

/// The world: sectors from the map, the directory, Join, restarts.
@Suite(.serialized) struct GameWorldTests {
    @Test func theWorldSpawnsOneSectorPerMapSectorAndPublishesTheDirectory() async throws {
        let h = try await GameHarness()
        let summary = try await h.world.summary()
        #expect(summary.ready)
        #expect(summary.sectors.keys.sorted() == ["Deneb", "Rigel", "Sol", "Vega"])
        let ids = try await h.node.processIDs()
        #expect(ids.count == 5)   // the world and four sectors
        let patches = try h.emitted(h.world.worldID).filter { $0[tag: "device"] == "patch@1.0" && $0[tag: "sectors"] != nil }
        #expect(patches.count == 1)
        let directory = try JSONSerialization.jsonObject(with: Data(patches[0][tag: "sectors"]!.utf8)) as? [String: String]
        #expect(directory == summary.sectors)
        #expect(try await h.sectorDigest("Vega").contains("planet:13,4:nil"))
    }

    @Test func aJoinSpawnsAPlayerWhoseShipsAppearAtTheSpawnPointOnTheNextTick() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        #expect(try await h.world.summary().players[alice.address] == alice.id)
        #expect(try await h.arriving("Sol").sorted() == ["P1.1", "P1.2", "P1.3"])
        try await h.tick()
        let ships = try await h.ships("Sol")
        #expect(ships["P1.1"] == ShipState(no: 1, x: 2, y: 1, hull: 10, cargo: 0))
        #expect(ships["P1.2"] == ShipState(no: 1, x: 2, y: 0, hull: 10, cargo: 0))
        #expect(ships["P1.3"] == ShipState(no: 1, x: 3, y: 1, hull: 10, cargo: 0))
        let updates = try h.clientMessages(alice.id, to: alice.address).filter { $0.message[tag: "Action"] == "Update" }
        #expect(updates.count == 1)
        let view = updates[0].message.json
        #expect(view["tick"] as? Int == 1)
        #expect(view["sector"] as? String == "Sol")
        #expect((view["grid"] as? [String])?.count == 10)
        #expect((view["ships"] as? [Any])?.count == 3)
        let me = view["me"] as? [String: Any]
        #expect(me?["credits"] as? Int == 100)
        #expect(me?["ships"] as? Int == 3)
        // The world told the key its player process (on the world's stream).
        let joined = try h.clientMessages(h.world.worldID, to: alice.address)
        #expect(joined.map { $0.message[tag: "Process"] } == [alice.id])
    }

    @Test func aSecondJoinFromTheSameKeyKeepsTheSamePlayer() async throws {
        let h = try await GameHarness()
        let alice = try await h.join("alice")
        let receipt = try await h.node.push(to: h.world.worldID, from: alice.address, tags: [Tag("Action", "Join")])
        try await h.node.waitUntilIdle()
        #expect(receipt.result.spawns.isEmpty)
        #expect(receipt.result.messages.first?[tag: "Process"] == alice.id)
        #expect(try await h.node.processIDs().count == 6)
    }

    @Test func playersAreSpreadOverTheSpawnSectors() async throws {
        let h = try await GameHarness()
        _ = try await h.join("alice")
        _ = try await h.join("bob")
        try await h.tick()
        #expect(try await h.ships("Deneb")["P2.1"] == ShipState(no: 2, x: 9, y: 7, hull: 10, cargo: 0))
        #expect(try await h.world.summary().active == ["Deneb", "Sol"])
    }

    @Test func aRestartedNodeFindsTheSameWorldAndItsState() async throws {
        let h = try await GameHarness(configure: { $0.snapshotEvery = 8 })
        let alice = try await h.join("alice")
        try await h.tick(3)
        let before = try await h.sectorDigest("Sol")
        let worldID = h.world.worldID
        try await h.restart()
        #expect(h.world.worldID == worldID)
        #expect(try await h.node.processIDs().count == 6)
        #expect(try await h.sectorDigest("Sol") == before)
        try await h.order(alice, "Move", ["Ship": "P1.2", "Dir": "E"])
        try await h.tick()
        #expect(try await h.ships("Sol")["P1.2"]?.x == 3)
        #expect(try await h.world.summary().tick == 4)
    }

    @Test func luaErrorsInTheBundleNameTheGameFileAndLine() async throws {
        let h = try await GameHarness()
        let error = try await h.lua(h.world.worldID, "local ok, e = pcall(require('rules.orders').parse, 'Move', nil) return e")
        #expect(error.hasPrefix("rules/orders.lua:"), "\(error)")
        #expect(error.contains("attempt to index a nil value"))
    }

    @Test func ticksFromStrangersAreIgnored() async throws {
        let h = try await GameHarness()
        _ = try await h.join("alice")
        _ = try await h.node.push(to: h.world.worldID, from: GameHarness.address("mallory"), tags: [Tag("Action", "Tick")])
        try await h.node.waitUntilIdle()
        #expect(try await h.world.summary().tick == 0)
        #expect(try await h.arriving("Sol").count == 3)
    }
}

/// The large map: hundreds of sector processes, players spread over its spawn points.
@Suite(.serialized) struct LargeMapTests {
    @Test func theLargeMapStartsOneProcessPerSectorAndTakesPlayers() async throws {
        let map = try GameMap.load(path: GameHarness.root.appendingPathComponent("Maps/large.json").path)
        let h = try await GameHarness(map: map)
        let summary = try await h.world.summary()
        #expect(summary.sectors.count == map.sectors.count)
        #expect(Set(summary.sectors.values).count == map.sectors.count)
        let alice = try await h.join("alice")
        let bob = try await h.join("bob")
        try await h.tick()
        let active = try await h.world.summary().active
        #expect(active.count == 2)   // only the two home sectors get ticks
        let updates = try h.clientMessages(alice.id, to: alice.address).filter { $0.message[tag: "Action"] == "Update" }
        #expect(updates.count == 1)
        #expect(try h.clientMessages(bob.id, to: bob.address).count == 1)
    }
}

/// The world's own cron drives the ticks when the host asks for it.
@Suite(.serialized) struct CronTests {
    @Test func theWorldsCronTicksEverySectorWithShips() async throws {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        let directory = base.appendingPathComponent("starlane-cron-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try Node(configuration: NodeConfiguration(databasePath: directory.appendingPathComponent("node.db").path))
        try node.start()
        defer { node.stop() }
        let world = try await GameHost.start(node: node, bundle: GameHarness.bundle, map: GameHarness.tutorial, tickMilliseconds: 40)
        let alice = GameHarness.address("alice")
        let player = try await world.join(address: alice, name: "alice")
        try await node.waitUntilIdle()
        let joinedAt = try await world.summary().tick
        let deadline = ContinuousClock.now + .seconds(20)
        while try await world.summary().tick < joinedAt + 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await world.summary().tick >= joinedAt + 3)
        try await node.waitUntilIdle()
        let placed = try await node.inspect(world.sectorIDs()["Sol"]!, "local n = 0 for _ in pairs(S.ships) do n = n + 1 end return tostring(n)")
        #expect(placed == "3")
        #expect(try await node.inspect(player, "return tostring(P.tick)").flatMap(Int.init) ?? 0 >= 1)
    }

    @Test func aFailedPlayerSpawnEndsTheJoinWithAnErrorAndTheKeyCanJoinLater() async throws {
        let h = try await GameHarness()
        let world = h.world.worldID
        func evalInWorld(_ code: String) async throws {
            let receipt = try await h.node.push(to: world, from: h.world.owner, tags: [Tag("Action", "Eval")], data: code)
            #expect(receipt.result.error == nil, "\(receipt.result.error ?? "")")
        }
        // The world's owner breaks the player module: the node refuses the next spawn.
        try await evalInWorld("W.playerModule = string.rep('A', 43)")
        let address = GameHarness.address("zed")
        _ = try await h.node.push(to: world, from: address, tags: [Tag("Action", "Join")])
        try await h.node.waitUntilIdle()
        let errors = try h.clientMessages(world, to: address).filter {
            $0.message.tags.first { $0.name == "Action" }?.value == "Join-Error"
        }
        #expect(errors.count == 1)
        #expect(errors.first?.message.tags.first { $0.name == "Error" }?.value.contains("unknown module") == true)
        // Not stuck "joining": once the module is right again, the same key joins.
        try await evalInWorld("W.playerModule = '\(h.world.modules.player)'")
        let player = try await h.world.join(address: address, name: "zed")
        #expect(Identifiers.isValid(player))
    }
}
