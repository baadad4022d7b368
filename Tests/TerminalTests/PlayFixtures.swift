import Foundation
import HTTP
@testable import Terminal

/// Stream events as the gateway sends them for the tutorial's Sol sector.
enum PlayFixtures {
    static let sol = [
        "................",
        "..@......#......",
        ".........#..$$..",
        "...o.....#..$$..",
        "................",
        "......*.........",
        "................",
        "..$$........o...",
        "..$$............",
        "..............O.",
    ]

    /// An `event: message` carrying a message to the key, in the gateway's JSON.
    static func message(slot: Int, tags: [String: String], data: String = "") -> ServerSentEvent {
        let object: [String: Any] = [
            "process": "PLAYER", "slot": slot, "from": "SECTOR", "action": "Sector-Update", "Target": "ME",
            "Tags": tags.keys.sorted().map { ["name": $0, "value": tags[$0]!] }, "Data": data,
        ]
        let json = String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        return ServerSentEvent(id: "\(slot).0", event: "message", data: json)
    }

    static func json(_ value: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// An Update of Sol at `tick` with `ships` ([id, no, x, y, hull, cargo]).
    static func update(slot: Int, tick: Int, ships: [[Any]], grid: Bool = false, events: [[String: Any]] = [],
                       mine: [[String: Any]] = [], credits: Int = 100, players: [String: String] = ["1": "ann"]) -> ServerSentEvent {
        var data: [String: Any] = [
            "tick": tick, "sector": "Sol", "process": "SOLPID", "ships": ships, "planets": [[3, 3, 0, 0], [12, 7, 2, 0]],
            "players": players, "events": events.isEmpty ? [] as [Any] : events, "mine": mine.isEmpty ? [] as [Any] : mine,
            "me": ["no": 1, "name": "ann", "credits": credits, "reserved": 0, "ore": 0, "planets": 0, "ships": 3, "score": credits],
        ]
        if grid { data["grid"] = sol }
        return message(slot: slot, tags: ["Action": "Update", "Tick": "\(tick)", "Sector": "Sol"], data: json(data))
    }

    static var annShips: [[Any]] { [["P1.1", 1, 2, 1, 10, 0], ["P1.2", 1, 3, 1, 10, 0], ["P1.3", 1, 2, 2, 10, 0]] }

    /// A model of player 1 "ann" that has seen Sol with its three ships and one of bob's.
    static func joinedModel() -> PlayModel {
        var model = PlayModel(world: "WORLD", process: "PLAYER", number: 1, name: "ann", homeSector: "Sol")
        model.apply(.connection(.connected))
        model.apply(PlayEvent.decode(update(slot: 5, tick: 3, ships: annShips + [["P2.1", 2, 8, 4, 7, 4]], grid: true,
                                            players: ["1": "ann", "2": "bob"])))
        return model
    }
}
