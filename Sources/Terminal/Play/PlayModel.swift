import Foundation

/// What the client knows of a sector: its grid (static), and the last update's
/// ships, planets and player names.
public struct PlaySectorState: Equatable, Sendable {
    public var name: String
    public var process: String?
    public var grid: [String]?
    public var ships: [PlayShip] = []
    public var planets: [PlayPlanet] = []
    public var players: [Int: String] = [:]
    /// The tick of the last update from it; nil: never seen.
    public var tick: Int?

    public var width: Int { grid?.first?.count ?? 0 }
    public var height: Int { grid?.count ?? 0 }

    public func cell(_ p: PlayPoint) -> Character? {
        guard let grid, p.y >= 0, p.y < grid.count, p.x >= 0 else { return nil }
        let row = Array(grid[p.y])
        return p.x < row.count ? row[p.x] : nil
    }

    public func ship(at p: PlayPoint) -> PlayShip? { ships.first { $0.x == p.x && $0.y == p.y } }
    public func planet(at p: PlayPoint) -> PlayPlanet? { planets.first { $0.x == p.x && $0.y == p.y } }
}

/// One of the player's ships, as last reported.
public struct PlayMyShip: Equatable, Sendable {
    public var id: String
    public var sector: String?
    public var x: Int?
    public var y: Int?
    public var hull: Int
    public var cargo: Int

    public var position: PlayPoint? { x.flatMap { x in y.map { PlayPoint(x, $0) } } }
}

/// A line of the event log.
public struct PlayLogLine: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case info, chat, ownChat, error, pending
    }

    public var kind: Kind
    public var text: String
    /// The order this line waits for (a chat line being sent).
    public var orderID: String?
}

/// The game as the client sees it: a pure value fed with events (`apply`), with no
/// I/O, so the whole client's logic is testable without a terminal or a server.
public struct PlayModel: Equatable, Sendable {
    public static let hullMax = 10
    public static let cargoMax = 20
    public static let logLimit = 500

    public var world: String
    public var process: String?
    public var me = PlayMe()
    public var homeSector: String?
    public var tick = 0
    public var sectors: [String: PlaySectorState] = [:]
    public var ships: [String: PlayMyShip] = [:]
    /// Orders by message id, until they settle (and a while after, for the panel).
    public var orders: [String: PlayPendingOrder] = [:]
    /// The last order given to each ship (message id).
    public var shipOrders: [String: String] = [:]
    public var log: [PlayLogLine] = []
    public var connection: PlayConnection = .connecting
    /// True until fresh data arrives after (re)connecting: the screen must not pass
    /// old positions off as current.
    public var stale = true
    /// Send → durable answer of the last order, in milliseconds.
    public var lastRoundTrip: Int?
    /// Stream events the client did not understand.
    public var ignoredEvents = 0

    public init(world: String, process: String? = nil, number: Int? = nil, name: String? = nil, homeSector: String? = nil) {
        self.world = world
        self.process = process
        me.no = number
        me.name = name
        self.homeSector = homeSector
    }

    // MARK: - Queries

    /// The player's ship ids in order (P1.1, P1.2, ..., P1.10).
    public var shipIDs: [String] {
        ships.keys.sorted { a, b in
            let (na, nb) = (Self.shipNumber(a), Self.shipNumber(b))
            return na != nb ? na < nb : a < b
        }
    }

    /// The number after the dot of a ship id ("P1.12" → 12).
    public static func shipNumber(_ id: String) -> Int {
        id.split(separator: ".").last.flatMap { Int($0) } ?? 0
    }

    /// The sector to show: the selected ship's, else the first ship's, else home.
    public func sectorName(selected: String?) -> String? {
        if let s = selected, let sector = ships[s]?.sector { return sector }
        if let first = shipIDs.first, let sector = ships[first]?.sector { return sector }
        return homeSector
    }

    /// The standing order of a ship, if it has one to show.
    public func order(of ship: String) -> PlayPendingOrder? {
        shipOrders[ship].flatMap { orders[$0] }
    }

    public func playerName(_ no: Int, in sector: String? = nil) -> String? {
        if no == me.no, let name = me.name { return name }
        if let sector, let name = sectors[sector]?.players[no] { return name }
        return sectors.values.lazy.compactMap { $0.players[no] }.first
    }

    // MARK: - Orders

    /// Records an order about to be sent under message id `id`.
    public mutating func ordered(_ request: PlayOrderRequest, id: String) {
        var pending = PlayPendingOrder(id: id, request: request)
        if let ship = request.ship {
            pending.sector = ships[ship]?.sector
            if let previous = shipOrders[ship], orders[previous]?.state.isPending == false { orders[previous] = nil }
            shipOrders[ship] = id
        } else if request.action == "Build" {
            pending.sector = request.tags.first { $0.name == "Sector" }?.value
        } else {
            pending.sector = sectorName(selected: nil)
        }
        orders[id] = pending
        if request.action == "Say" {
            append(.init(kind: .pending, text: "\(me.name ?? "you"): \(request.data)  (sending)", orderID: id))
        }
    }

    private mutating func settle(_ id: String, _ state: PlayOrderState) {
        guard var order = orders[id] else { return }
        order.state = state
        orders[id] = order
        if order.request.action == "Say" || order.request.action == "View" {
            if state == .confirmed || order.request.action == "View" { removePendingLine(id) }
            if state == .confirmed { orders[id] = nil }
        }
    }

    /// Ends a ship's standing order (reached, finished, or the ship is gone).
    private mutating func finishOrder(ofShip ship: String) {
        guard let id = shipOrders[ship], let order = orders[id], order.state != .sending else { return }
        orders[id] = nil
        shipOrders[ship] = nil
    }

    private mutating func removePendingLine(_ id: String) {
        log.removeAll { $0.kind == .pending && $0.orderID == id }
    }

    // MARK: - Events

    public mutating func apply(_ event: PlayEvent) {
        switch event {
        case let .update(update, slot): apply(update, slot: slot)
        case let .chat(sector, speaker, name, text): chat(sector: sector, speaker: speaker, name: name, text: text)
        case let .orderError(orderID, order, ship, error): orderError(orderID, order, ship, error)
        case let .view(view): apply(view)
        case let .joined(process, number, sector, name):
            self.process = process
            if let number { me.no = number }
            if let name { me.name = name }
            if let sector { homeSector = sector }
        case let .processError(text):
            append(.init(kind: .error, text: "the server failed to handle a message: \(text)"))
        case let .connection(state):
            if state != connection {
                switch state {
                case .connected: append(.init(kind: .info, text: "connected to the server"))
                case let .reconnecting(why):
                    if connection == .connecting {
                        append(.init(kind: .info, text: "connecting: \(why)"))
                    } else if case .reconnecting = connection {} else {
                        append(.init(kind: .error, text: "lost the server (\(why)); reconnecting"))
                    }
                case let .down(why): append(.init(kind: .error, text: "the server is down: \(why)"))
                case .connecting: break
                }
            }
            connection = state
            if state != .connected { stale = true }
        case let .orderAccepted(id, slot, milliseconds):
            lastRoundTrip = milliseconds
            if var order = orders[id], order.state == .sending {
                order.state = .sent
                order.slot = slot
                orders[id] = order
            }
            if orders[id]?.request.action == "View" { orders[id] = nil }
        case let .orderRefused(id, reason):
            let summary = orders[id]?.request.summary ?? "an order"
            settle(id, .failed(reason))
            removePendingLine(id)
            append(.init(kind: .error, text: "could not send \(summary): \(reason)"))
        case .ignored:
            ignoredEvents += 1
        }
    }

    mutating func append(_ line: PlayLogLine) {
        log.append(line)
        if log.count > Self.logLimit { log.removeFirst(log.count - Self.logLimit) }
    }

    private mutating func chat(sector: String?, speaker: Int?, name: String?, text: String) {
        let who = name ?? speaker.map { "P\($0)" } ?? "someone"
        let own = speaker != nil && speaker == me.no
        if own, let pending = orders.values.filter({ $0.request.action == "Say" && $0.request.data == text && $0.state.isPending })
            .min(by: { ($0.slot ?? .max) < ($1.slot ?? .max) }) {
            settle(pending.id, .confirmed)
        }
        append(.init(kind: own ? .ownChat : .chat, text: "[\(sector ?? "?")] \(who): \(text)"))
    }

    private mutating func orderError(_ id: String?, _ order: String?, _ ship: String?, _ error: String) {
        var what = order ?? "order"
        if let ship { what += " \(ship)" }
        if let id, let pending = orders[id] {
            what = pending.request.summary
            settle(id, .failed(error))
            removePendingLine(id)
        }
        append(.init(kind: .error, text: "refused: \(what): \(error)"))
    }

    private mutating func apply(_ view: PlayView) {
        tick = max(tick, view.tick)
        if let me = view.me { self.me = me }
        for (name, process) in view.sectors { sectors[name, default: .init(name: name)].process = process }
        for (name, grid) in view.grids { sectors[name, default: .init(name: name)].grid = grid }
        ships = [:]
        for s in view.ships {
            ships[s.id] = PlayMyShip(id: s.id, sector: s.sector, x: s.x, y: s.y, hull: s.hull ?? Self.hullMax, cargo: s.cargo ?? 0)
        }
        if connection == .connected { stale = false }
    }

    private mutating func apply(_ u: PlayUpdate, slot: Int64?) {
        tick = max(tick, u.tick)
        if let me = u.me { self.me = me }
        var sector = sectors[u.sector] ?? .init(name: u.sector)
        if let p = u.process { sector.process = p }
        if let grid = u.grid { sector.grid = grid }
        sector.ships = u.ships
        sector.planets = u.planets
        sector.players.merge(u.players) { _, new in new }
        sector.tick = u.tick
        sectors[u.sector] = sector
        if connection == .connected { stale = false }

        // The roster: ships reported here; ships last known here but absent are gone
        // (left, or destroyed: the events say which).
        let here = Set(u.ships.map(\.id))
        for (id, ship) in ships where ship.sector == u.sector && !here.contains(id) {
            if ships[id]?.x != nil { ships[id]?.x = nil; ships[id]?.y = nil }
        }
        if let no = me.no {
            for s in u.ships where s.owner == no {
                ships[s.id] = PlayMyShip(id: s.id, sector: u.sector, x: s.x, y: s.y, hull: s.hull, cargo: s.cargo)
            }
        }
        for e in u.mine { applyMine(e, sector: u.sector) }
        for e in u.events { applyPublic(e, sector: u.sector) }
        confirmOrders(u, slot: slot)
    }

    private mutating func applyMine(_ e: PlayGameEvent, sector: String) {
        let ship = e["ship"] ?? "?"
        switch e.type {
        case "arrived":
            append(.init(kind: .info, text: "\(ship) arrived in \(sector)" + (e["x"].map { " at \($0),\(e["y"] ?? "?")" } ?? "")))
        case "left":
            if ships[ship]?.sector == sector {
                ships[ship]?.sector = e["to"]
                ships[ship]?.x = nil
                ships[ship]?.y = nil
            }
            if let to = e["to"], let p = e["process"] { sectors[to, default: .init(name: to)].process = p }
            append(.init(kind: .info, text: "\(ship) left \(sector) for \(e["to"] ?? "another sector")"))
            finishOrder(ofShip: ship)
        case "destroyed":
            ships[ship] = nil
            finishOrder(ofShip: ship)
            append(.init(kind: .error, text: "\(ship) was destroyed" + (e["by"].map { " (\($0))" } ?? "")))
        case "attack-ended":
            finishOrder(ofShip: ship)
            append(.init(kind: .info, text: "\(ship) stopped attacking \(e["target"] ?? "")" + (e["reason"].map { ": \($0)" } ?? "")))
        case "hold-full":
            finishOrder(ofShip: ship)
            append(.init(kind: .info, text: "\(ship)'s hold is full"))
        case "sold":
            finishOrder(ofShip: ship)
            append(.init(kind: .info, text: "\(ship) sold \(e["ore"] ?? "?") ore for \(e["credits"] ?? "?") credits"))
        case "sell-failed":
            finishOrder(ofShip: ship)
            append(.init(kind: .error, text: "\(ship) could not sell: \(e["reason"] ?? "no planet or no ore")"))
        case "planet-captured":
            if let id = shipOrders.first(where: { orders[$0.value]?.request.action == "Capture" })?.key { finishOrder(ofShip: id) }
            append(.init(kind: .info, text: "you captured the planet at \(sector) \(e["x"] ?? "?"),\(e["y"] ?? "?")"))
        case "planet-lost":
            append(.init(kind: .error, text: "you lost the planet at \(sector) \(e["x"] ?? "?"),\(e["y"] ?? "?")"))
        case "built":
            if let order = e["order"], orders[order] != nil { orders[order] = nil }
            append(.init(kind: .info, text: "built \(ship) at \(sector) \(e["x"] ?? "?"),\(e["y"] ?? "?") for \(e["cost"] ?? "?") credits"))
        case "build-failed":
            if let order = e["order"] { settle(order, .failed(e["reason"] ?? "build failed")) }
            append(.init(kind: .error, text: "building \(ship) failed: \(e["reason"] ?? "no reason given")"))
        default:
            break
        }
    }

    private mutating func applyPublic(_ e: PlayGameEvent, sector: String) {
        switch e.type {
        case "hit":
            if let ship = e["ship"], ships[ship] != nil {
                append(.init(kind: .error, text: "\(ship) was hit: -\(e["damage"] ?? "?") hull, \(e["hull"] ?? "?") left"))
            }
        case "destroyed":
            if let ship = e["ship"], ships[ship] == nil {
                append(.init(kind: .info, text: "\(ship) was destroyed in \(sector)"))
                for (mine, id) in shipOrders where orders[id]?.request.tags.contains(.init("Target-Ship", ship)) == true {
                    finishOrder(ofShip: mine)
                }
            }
        case "captured":
            if let no = e.int("no"), no != me.no {
                append(.init(kind: .info, text: "\(playerName(no, in: sector) ?? "P\(no)") captured the planet at \(sector) \(e["x"] ?? "?"),\(e["y"] ?? "?")"))
            }
        default:
            break
        }
    }

    /// An order is confirmed once an update from its sector shows a tick after the
    /// first one that followed its durable slot (so the sector has resolved it). A chat
    /// line is confirmed by its own echo instead (updates may overtake it).
    private mutating func confirmOrders(_ u: PlayUpdate, slot: Int64?) {
        for (id, var order) in orders where order.state == .sent && order.request.action != "Say"
            && (order.sector == nil || order.sector == u.sector) {
            if let s = order.slot, let slot, slot <= s { continue }
            if let first = order.firstTick {
                if u.tick > first { order.state = .confirmed }
            } else {
                order.firstTick = u.tick
            }
            orders[id] = order
        }
        // Path moves end on arrival; confirmed one-shot orders are done.
        for (ship, id) in shipOrders {
            guard let order = orders[id] else { shipOrders[ship] = nil; continue }
            if order.state == .confirmed, let target = order.request.target, ships[ship]?.position == target,
               ships[ship]?.sector == order.sector {
                orders[id] = nil
                shipOrders[ship] = nil
            } else if order.state == .confirmed, order.request.action == "Stop"
                        || (order.request.action == "Move" && order.request.target == nil) {
                orders[id] = nil
                shipOrders[ship] = nil
            }
        }
        for (id, order) in orders where order.state == .confirmed && order.request.ship == nil && order.request.action != "Build" {
            orders[id] = nil
        }
    }
}
