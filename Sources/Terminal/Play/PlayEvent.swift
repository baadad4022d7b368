import Foundation
import HTTP

/// A ship as a sector update shows it: `[id, player no, x, y, hull, cargo]`.
public struct PlayShip: Equatable, Sendable {
    public var id: String
    public var owner: Int
    public var x: Int
    public var y: Int
    public var hull: Int
    public var cargo: Int

    public init(id: String, owner: Int, x: Int, y: Int, hull: Int, cargo: Int) {
        self.id = id
        self.owner = owner
        self.x = x
        self.y = y
        self.hull = hull
        self.cargo = cargo
    }
}

/// A planet: its cell, its owner's number (0: neutral) and capture progress.
public struct PlayPlanet: Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var owner: Int
    public var progress: Int
}

/// A game event as a sector reports it (`{type, ship, ...}`), kept loosely.
public struct PlayGameEvent: Equatable, Sendable {
    public var type: String
    public var fields: [String: String]

    public subscript(_ name: String) -> String? { fields[name] }
    public func int(_ name: String) -> Int? { fields[name].flatMap { Int($0) } }
}

/// What the player's feed says about the player (`me` in every Update and View).
public struct PlayMe: Equatable, Sendable {
    public var no: Int?
    public var name: String?
    public var credits = 0
    public var reserved = 0
    public var ore = 0
    public var planets = 0
    public var ships = 0
    public var score = 0

    public init() {}
}

/// One Update: a sector's view after a tick, as the player process relays it.
public struct PlayUpdate: Equatable, Sendable {
    public var tick: Int
    public var sector: String
    public var process: String?
    public var grid: [String]?
    public var ships: [PlayShip]
    public var planets: [PlayPlanet]
    public var players: [Int: String]
    public var events: [PlayGameEvent]
    public var mine: [PlayGameEvent]
    public var me: PlayMe?
}

/// The answer to `View`: the player's whole roster and the grids it has seen.
public struct PlayView: Equatable, Sendable {
    public struct Ship: Equatable, Sendable {
        public var id: String
        public var sector: String?
        public var x: Int?
        public var y: Int?
        public var hull: Int?
        public var cargo: Int?
    }

    public var tick: Int
    public var me: PlayMe?
    public var ships: [Ship]
    public var sectors: [String: String]
    public var grids: [String: [String]]
}

/// The state of the link to the server, as the UI shows it.
public enum PlayConnection: Equatable, Sendable {
    case connecting
    case connected
    /// Lost; retrying (with the reason in plain words).
    case reconnecting(String)
    /// Gave up, or refused for good.
    case down(String)
}

/// Everything that can happen to the client: decoded stream events, answers to its
/// orders, connection changes. The network threads produce them; the UI thread
/// applies them to the model.
public enum PlayEvent: Equatable, Sendable {
    case update(PlayUpdate, slot: Int64?)
    case chat(sector: String?, speaker: Int?, name: String?, text: String)
    case orderError(orderID: String?, order: String?, ship: String?, error: String)
    case view(PlayView)
    case joined(process: String, number: Int?, sector: String?, name: String?)
    /// A slot of the player process failed (its error text).
    case processError(String)
    case connection(PlayConnection)
    /// An order became durable (`slot` of the player process) after `milliseconds`.
    case orderAccepted(id: String, slot: Int64, milliseconds: Int)
    /// The server refused an order or could not be reached.
    case orderRefused(id: String, reason: String)
    /// A stream event the client does not understand (kept for the log's count only).
    case ignored(String)
}

extension PlayEvent {
    /// Decodes one server-sent event of the player's stream. Never fails: anything
    /// unexpected becomes `.ignored` with a reason.
    public static func decode(_ sse: ServerSentEvent) -> PlayEvent {
        let kind = sse.event ?? "message"
        guard let object = PlayJSON.object(PlayJSON.parse(sse.data)) else {
            return .ignored("\(kind) event that is not a JSON object")
        }
        if kind == "error" {
            return .processError(PlayJSON.string(object["text"]) ?? "unknown error")
        }
        guard kind == "message" else { return .ignored("\(kind) event") }
        var tags: [String: String] = [:]
        for item in PlayJSON.array(object["Tags"]) ?? [] {
            guard let tag = PlayJSON.object(item), let name = PlayJSON.string(tag["name"]),
                  let value = PlayJSON.string(tag["value"]), tags[name] == nil else { continue }
            tags[name] = value
        }
        let data = PlayJSON.string(object["Data"]) ?? ""
        let slot = (PlayJSON.int(object["slot"])).map(Int64.init)
        return decode(action: tags["Action"], tags: tags, data: data, slot: slot)
    }

    /// Decodes a message by its Action, tags and data.
    public static func decode(action: String?, tags: [String: String], data: String, slot: Int64? = nil) -> PlayEvent {
        switch action {
        case "Update":
            guard let update = PlayUpdate.decode(data) else { return .ignored("malformed Update") }
            return .update(update, slot: slot)
        case "Chat":
            return .chat(sector: tags["Sector"], speaker: tags["Speaker"].flatMap { Int($0) },
                         name: tags["Speaker-Name"], text: data)
        case "Order-Error":
            return .orderError(orderID: tags["Order-Id"], order: tags["Order"], ship: tags["Ship"],
                               error: tags["Error"] ?? "the order was refused")
        case "View":
            guard let view = PlayView.decode(data) else { return .ignored("malformed View") }
            return .view(view)
        case "Joined":
            guard let process = tags["Process"] else { return .ignored("Joined without a Process") }
            return .joined(process: process, number: tags["Number"].flatMap { Int($0) }, sector: tags["Sector"],
                           name: tags["Player-Name"])
        default:
            return .ignored("message \(action ?? "without an Action")")
        }
    }
}

extension PlayMe {
    static func decode(_ value: Any?) -> PlayMe? {
        guard let o = PlayJSON.object(value) else { return nil }
        var me = PlayMe()
        me.no = PlayJSON.int(o["no"])
        me.name = PlayJSON.string(o["name"])
        me.credits = PlayJSON.int(o["credits"]) ?? 0
        me.reserved = PlayJSON.int(o["reserved"]) ?? 0
        me.ore = PlayJSON.int(o["ore"]) ?? 0
        me.planets = PlayJSON.int(o["planets"]) ?? 0
        me.ships = PlayJSON.int(o["ships"]) ?? 0
        me.score = PlayJSON.int(o["score"]) ?? 0
        return me
    }
}

extension PlayGameEvent {
    static func decode(_ value: Any?) -> PlayGameEvent? {
        guard let o = PlayJSON.object(value), let type = PlayJSON.string(o["type"]) else { return nil }
        var fields: [String: String] = [:]
        for (k, v) in o { if let s = PlayJSON.string(v) { fields[k] = s } }
        return PlayGameEvent(type: type, fields: fields)
    }
}

extension PlayUpdate {
    /// Decodes an Update's data; nil when its tick or sector is missing. Malformed
    /// ships, planets or events are skipped one by one.
    static func decode(_ data: String) -> PlayUpdate? {
        guard let o = PlayJSON.object(PlayJSON.parse(data)), let tick = PlayJSON.int(o["tick"]),
              let sector = PlayJSON.string(o["sector"]) else { return nil }
        let ships: [PlayShip] = (PlayJSON.array(o["ships"]) ?? []).compactMap { item in
            guard let a = PlayJSON.array(item), a.count >= 4, let id = PlayJSON.string(a[0]),
                  let no = PlayJSON.int(a[1]), let x = PlayJSON.int(a[2]), let y = PlayJSON.int(a[3]) else { return nil }
            return PlayShip(id: id, owner: no, x: x, y: y, hull: a.count > 4 ? PlayJSON.int(a[4]) ?? 0 : 0,
                            cargo: a.count > 5 ? PlayJSON.int(a[5]) ?? 0 : 0)
        }
        let planets: [PlayPlanet] = (PlayJSON.array(o["planets"]) ?? []).compactMap { item in
            guard let a = PlayJSON.array(item), a.count >= 2, let x = PlayJSON.int(a[0]), let y = PlayJSON.int(a[1]) else { return nil }
            return PlayPlanet(x: x, y: y, owner: a.count > 2 ? PlayJSON.int(a[2]) ?? 0 : 0,
                              progress: a.count > 3 ? PlayJSON.int(a[3]) ?? 0 : 0)
        }
        var players: [Int: String] = [:]
        for (k, v) in PlayJSON.object(o["players"]) ?? [:] {
            if let no = Int(k), let name = PlayJSON.string(v) { players[no] = name }
        }
        return PlayUpdate(
            tick: tick, sector: sector, process: PlayJSON.string(o["process"]), grid: PlayJSON.strings(o["grid"]),
            ships: ships, planets: planets, players: players,
            events: (PlayJSON.array(o["events"]) ?? []).compactMap(PlayGameEvent.decode),
            mine: (PlayJSON.array(o["mine"]) ?? []).compactMap(PlayGameEvent.decode),
            me: PlayMe.decode(o["me"]))
    }
}

extension PlayView {
    static func decode(_ data: String) -> PlayView? {
        guard let o = PlayJSON.object(PlayJSON.parse(data)) else { return nil }
        let ships: [Ship] = (PlayJSON.array(o["ships"]) ?? []).compactMap { item in
            guard let s = PlayJSON.object(item), let id = PlayJSON.string(s["id"]) else { return nil }
            return Ship(id: id, sector: PlayJSON.string(s["sector"]), x: PlayJSON.int(s["x"]), y: PlayJSON.int(s["y"]),
                        hull: PlayJSON.int(s["hull"]), cargo: PlayJSON.int(s["cargo"]))
        }
        var sectors: [String: String] = [:]
        for (k, v) in PlayJSON.object(o["sectors"]) ?? [:] { if let pid = PlayJSON.string(v) { sectors[k] = pid } }
        var grids: [String: [String]] = [:]
        for (k, v) in PlayJSON.object(o["grids"]) ?? [:] { if let rows = PlayJSON.strings(v) { grids[k] = rows } }
        return PlayView(tick: PlayJSON.int(o["tick"]) ?? 0, me: PlayMe.decode(o["me"]), ships: ships,
                        sectors: sectors, grids: grids)
    }
}
