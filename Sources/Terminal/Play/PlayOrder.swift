import Client

/// An order the player gives: the message's Action, tags and data, plus what the UI
/// needs to track it (the ship, a move's target, a line for people).
public struct PlayOrderRequest: Equatable, Sendable {
    public var action: String
    public var ship: String?
    public var tags: [ClientTag]
    public var data: String
    /// Where a path move goes, to tell when it is done.
    public var target: PlayPoint?
    /// The order in words: "move P1.1 to 5,3".
    public var summary: String

    public init(action: String, ship: String? = nil, tags: [ClientTag] = [], data: String = "",
                target: PlayPoint? = nil, summary: String) {
        self.action = action
        self.ship = ship
        self.tags = tags
        self.data = data
        self.target = target
        self.summary = summary
    }

    /// Every tag the message carries, `Action` first.
    public var allTags: [ClientTag] { [ClientTag("Action", action)] + tags }

    public static func move(_ ship: String, to p: PlayPoint) -> PlayOrderRequest {
        .init(action: "Move", ship: ship, tags: [.init("Ship", ship), .init("X", "\(p.x)"), .init("Y", "\(p.y)")],
              target: p, summary: "move \(ship) to \(p.x),\(p.y)")
    }

    /// One step N, E, S or W (may cross the sector's edge).
    public static func step(_ ship: String, _ direction: String) -> PlayOrderRequest {
        .init(action: "Move", ship: ship, tags: [.init("Ship", ship), .init("Dir", direction)],
              summary: "move \(ship) one step \(direction)")
    }

    public static func stop(_ ship: String) -> PlayOrderRequest {
        .init(action: "Stop", ship: ship, tags: [.init("Ship", ship)], summary: "stop \(ship)")
    }

    public static func attack(_ ship: String, _ target: String) -> PlayOrderRequest {
        .init(action: "Attack", ship: ship, tags: [.init("Ship", ship), .init("Target-Ship", target)],
              summary: "\(ship) attack \(target)")
    }

    public static func mine(_ ship: String) -> PlayOrderRequest {
        .init(action: "Mine", ship: ship, tags: [.init("Ship", ship)], summary: "\(ship) mine")
    }

    public static func capture(_ ship: String, planet: PlayPoint?) -> PlayOrderRequest {
        var tags = [ClientTag("Ship", ship)]
        if let planet { tags += [.init("X", "\(planet.x)"), .init("Y", "\(planet.y)")] }
        return .init(action: "Capture", ship: ship, tags: tags,
                     summary: "\(ship) capture " + (planet.map { "the planet at \($0.x),\($0.y)" } ?? "the next planet"))
    }

    public static func sell(_ ship: String) -> PlayOrderRequest {
        .init(action: "Sell", ship: ship, tags: [.init("Ship", ship)], summary: "\(ship) sell ore")
    }

    public static func build(sector: String, planet: PlayPoint) -> PlayOrderRequest {
        .init(action: "Build", tags: [.init("Sector", sector), .init("X", "\(planet.x)"), .init("Y", "\(planet.y)")],
              summary: "build a ship at \(sector) \(planet.x),\(planet.y)")
    }

    public static func say(_ text: String) -> PlayOrderRequest {
        .init(action: "Say", data: text, summary: "say \(text)")
    }

    public static func view() -> PlayOrderRequest {
        .init(action: "View", summary: "view")
    }
}

/// A cell of a sector: x is the column, y the row, both from 0.
public struct PlayPoint: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public init(_ x: Int, _ y: Int) {
        self.x = x
        self.y = y
    }
    public var description: String { "\(x),\(y)" }
}

/// Where an order is: sent and not yet durable, durable and not yet seen in an
/// update, confirmed, done, or failed (refused, or an `Order-Error`).
public enum PlayOrderState: Equatable, Sendable {
    case sending
    case sent
    case confirmed
    case failed(String)

    /// Unconfirmed orders are drawn distinctly until an update confirms them.
    public var isPending: Bool { self == .sending || self == .sent }
}

/// An order the client sent, tracked by its message id until it settles.
public struct PlayPendingOrder: Equatable, Sendable {
    public var id: String
    public var request: PlayOrderRequest
    public var state: PlayOrderState = .sending
    /// The player process's slot that holds the order (from the durable answer).
    public var slot: Int64?
    /// The ship's sector when the order was given, whose updates confirm it.
    public var sector: String?
    /// The tick of the first update after the order became durable. The sector may
    /// have resolved that tick before the order reached it; the next one includes it.
    public var firstTick: Int?
}
