import Client
import Foundation
import HTTP
import Identity
import Testing

/// `starlane serve` hosting the tutorial world; two players join over HTTP, move, mine,
/// sell and fight; their streams show it; a restart keeps the world.
@Suite(.serialized) struct GameEndToEndTests {
    /// A client-side event: a message a process sent to a key, as its stream shows it.
    struct Event {
        var id: String
        var action: String
        var tags: [String: String]
        var data: String
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] }
    }

    /// Follows a process's stream on a thread and keeps the message events.
    final class Feed: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [Event] = []
        private var stopped = false

        init(url: String, process: String, fromSlot: Int64 = 0) throws {
            _ = try HTTPURL(url)
            Thread { [self] in
                guard let follower = try? StreamFollower(server: url, process: process, fromSlot: fromSlot) else { return }
                follower.initialBackoff = .milliseconds(100)
                try? follower.follow(attempts: 50) { event in
                    guard event.event == "message",
                          let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
                    else { return !self.lock.withLock { self.stopped } }
                    var tags: [String: String] = [:]
                    for tag in object["Tags"] as? [[String: String]] ?? [] { tags[tag["name"] ?? ""] = tag["value"] }
                    let parsed = Event(id: event.id ?? "", action: tags["Action"] ?? "", tags: tags,
                                       data: object["Data"] as? String ?? "")
                    return self.lock.withLock {
                        self.events.append(parsed)
                        return !self.stopped
                    }
                }
            }.start()
        }

        var all: [Event] { lock.withLock { events } }
        func stop() { lock.withLock { stopped = true } }

        /// Waits until some event satisfies `match`; returns it.
        func wait(_ seconds: Double = 20, _ match: (Event) -> Bool) -> Event? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let found = all.first(where: match) { return found }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return all.first(where: match)
        }
    }

    final class Server {
        let running: Starlane.Running
        let url: String
        let world: String

        init(db: String) throws {
            running = try Starlane.start(["serve", "--db", db, "--port", "0", "--tick-ms", "150", "--shards", "2"])
            guard let line = running.line(prefix: "starlane: node", seconds: 60), let http = line.range(of: "http://"),
                  let worldLine = running.line(prefix: "starlane: world", seconds: 10),
                  let process = worldLine.range(of: "is process ") else {
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve did not start a world"])
            }
            url = String(line[http.lowerBound...].prefix { $0 != " " })
            world = String(worldLine[process.upperBound...].prefix(43))
        }

        func stop() { running.kill(SIGTERM) }
    }

    /// A ship as an Update shows it: [id, player no, x, y, hull, cargo].
    struct Ship {
        var id: String, no: Int, x: Int, y: Int, hull: Int, cargo: Int
        init?(_ row: Any) {
            guard let a = row as? [Any], a.count >= 6, let id = a[0] as? String else { return nil }
            let n = a.dropFirst().compactMap { ($0 as? NSNumber)?.intValue }
            guard n.count >= 5 else { return nil }
            (self.id, no, x, y, hull, cargo) = (id, n[0], n[1], n[2], n[3], n[4])
        }
    }

    static func ships(_ event: Event) -> [Ship] { (event.json?["ships"] as? [Any] ?? []).compactMap(Ship.init) }
    static func me(_ event: Event, _ key: String) -> Int? { ((event.json?["me"] as? [String: Any])?[key] as? NSNumber)?.intValue }
    static func events(_ event: Event) -> [[String: Any]] {
        (event.json?["events"] as? [[String: Any]] ?? []) + (event.json?["mine"] as? [[String: Any]] ?? [])
    }

    @Test func twoPlayersJoinMoveMineSellAndFightAndTheWorldSurvivesARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-game-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("world.db").path
        var server = try Server(db: db)

        // The world is named by /~info too, so clients need not be told.
        let info = try StarlaneClient(server: server.url).info()
        #expect(info.contains("\"world\":\"\(server.world)\""))

        let annKey = ClientKey(), bobKey = ClientKey()
        let ann = try StarlaneClient(server: server.url, key: annKey)
        let bob = try StarlaneClient(server: server.url, key: bobKey)
        let worldFeed = try Feed(url: server.url, process: server.world)
        _ = try ann.push(to: server.world, tags: [ClientTag("Action", "Join"), ClientTag("Player-Name", "ann")])
        _ = try bob.push(to: server.world, tags: [ClientTag("Action", "Join"), ClientTag("Player-Name", "bob")])
        let annJoined = try #require(worldFeed.wait { $0.action == "Joined" && $0.tags["Player-Name"] == "ann" })
        let bobJoined = try #require(worldFeed.wait { $0.action == "Joined" && $0.tags["Player-Name"] == "bob" })
        let annPlayer = try #require(annJoined.tags["Process"]), bobPlayer = try #require(bobJoined.tags["Process"])
        #expect(annJoined.tags["Sector"] == "Sol" && bobJoined.tags["Sector"] == "Deneb")

        let annFeed = try Feed(url: server.url, process: annPlayer)
        let bobFeed = try Feed(url: server.url, process: bobPlayer)
        func order(_ client: StarlaneClient, _ player: String, _ action: String, _ tags: [String: String]) throws {
            let answer = try client.push(to: player, tags: [ClientTag("Action", action)] + tags.sorted { $0.key < $1.key }.map { ClientTag($0.key, $0.value) },
                                         waitForResult: true)
            #expect(answer.result?.Error == nil, "\(action): \(answer.result?.Error ?? "")")
        }
        func annShip(_ id: String, _ condition: @escaping (Ship) -> Bool) -> Ship? {
            annFeed.wait { event in event.action == "Update" && event.tags["Sector"] == "Sol"
                && Self.ships(event).contains { $0.id == id && condition($0) } }
                .flatMap { Self.ships($0).first { $0.id == id } }
        }

        // Ann's ships appear in Sol; one flies to the ore field and mines.
        #expect(annFeed.wait { $0.action == "Update" && Self.me($0, "ships") == 3 } != nil)
        try order(ann, annPlayer, "Move", ["Ship": "P1.1", "X": "12", "Y": "2"])
        #expect(annShip("P1.1") { $0.x == 12 && $0.y == 2 } != nil, "P1.1 never reached the ore")
        try order(ann, annPlayer, "Mine", ["Ship": "P1.1"])
        let loaded = try #require(annShip("P1.1") { $0.cargo >= 6 })
        // Then sells next to the neutral planet at 3,3.
        try order(ann, annPlayer, "Move", ["Ship": "P1.1", "X": "4", "Y": "3"])
        #expect(annShip("P1.1") { $0.x == 4 && $0.y == 3 } != nil)
        try order(ann, annPlayer, "Sell", ["Ship": "P1.1"])
        let sold = try #require(annFeed.wait { event in Self.events(event).contains { $0["type"] as? String == "sold" } })
        #expect((Self.me(sold, "credits") ?? 0) >= 100 + 3 * loaded.cargo - 3, "credits after the sale: \(sold.data)")

        // Bob flies through Deneb's wormhole into Sol; ann attacks him there.
        try order(bob, bobPlayer, "Move", ["Ship": "P2.1", "X": "2", "Y": "1"])
        let arrived = try #require(bobFeed.wait(30) { $0.action == "Update" && $0.tags["Sector"] == "Sol" })
        let target = try #require(Self.ships(arrived).first { $0.id == "P2.1" })
        let latest = annFeed.all.last { $0.action == "Update" && $0.tags["Sector"] == "Sol" }.map(Self.ships) ?? []
        let attacker = try #require(latest.filter { $0.no == 1 }.min { max(abs($0.x - target.x), abs($0.y - target.y)) < max(abs($1.x - target.x), abs($1.y - target.y)) })
        if max(abs(attacker.x - target.x), abs(attacker.y - target.y)) > 3 {
            try order(ann, annPlayer, "Move", ["Ship": attacker.id, "X": String(target.x - 1), "Y": String(target.y)])
            _ = annShip(attacker.id) { max(abs($0.x - target.x), abs($0.y - target.y)) <= 3 }
        }
        try order(ann, annPlayer, "Attack", ["Ship": attacker.id, "Target-Ship": "P2.1"])
        let hit = annFeed.wait { event in Self.events(event).contains { $0["type"] as? String == "hit" && $0["ship"] as? String == "P2.1" } }
        #expect(hit != nil, "ann never saw her hit")
        #expect(bobFeed.wait { event in Self.events(event).contains { $0["type"] as? String == "hit" && $0["ship"] as? String == "P2.1" } } != nil)

        // Chat: bob says hello in Sol; ann hears it.
        // (Say carries its text in Data.)
        _ = try bob.push(to: bobPlayer, tags: [ClientTag("Action", "Say"), ClientTag("Sector", "Sol")], data: "hello ann")
        #expect(annFeed.wait { $0.action == "Chat" && $0.data == "hello ann" } != nil)

        // A restart keeps the world: the same world id, ann's credits, ships where they were.
        let creditsBefore = try #require(annFeed.all.last { $0.action == "Update" }.flatMap { Self.me($0, "credits") })
        for feed in [worldFeed, annFeed, bobFeed] { feed.stop() }
        let worldBefore = server.world
        server.stop()
        server = try Server(db: db)
        #expect(server.world == worldBefore)
        let restarted = try StarlaneClient(server: server.url, key: annKey)
        let view = try restarted.push(to: annPlayer, tags: [ClientTag("Action", "View")], waitForResult: true)
        let viewMessage = try #require(view.result?.Messages.first { $0[tag: "Action"] == "View" })
        let viewed = try #require(try JSONSerialization.jsonObject(with: Data(viewMessage.Data.utf8)) as? [String: Any])
        let credits = ((viewed["me"] as? [String: Any])?["credits"] as? NSNumber)?.intValue ?? -1
        #expect(credits >= creditsBefore, "credits \(credits) after the restart, \(creditsBefore) before")
        #expect((viewed["ships"] as? [Any])?.isEmpty == false)
        server.stop()
    }
}
