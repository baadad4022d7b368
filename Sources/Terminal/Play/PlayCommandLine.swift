import Foundation

/// A typed `:` command.
public enum PlayCommandLine: Equatable, Sendable {
    case order(PlayOrderRequest)
    /// An order for the selected ship, made when it runs.
    case shipOrder(String)
    case moveSelected(PlayPoint)
    case step(String)
    case attack(String)
    case capture(PlayPoint?)
    case build(PlayPoint?)
    case select(String)
    case help
    case quit
    case invalid(String)

    public static let usage = "commands: move X Y | move SHIP X Y | step N|E|S|W | stop | attack SHIP | mine | capture [X Y] | sell | build [X Y] | say TEXT | view | select SHIP | help | quit"

    public static func parse(_ line: String) -> PlayCommandLine {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let verb = words.first?.lowercased() else { return .invalid("type a command; :help lists them") }
        let args = Array(words.dropFirst())
        func point(_ a: [String]) -> PlayPoint? {
            guard a.count == 2, let x = Int(a[0]), let y = Int(a[1]) else { return nil }
            return PlayPoint(x, y)
        }
        switch verb {
        case "move", "mv":
            if let p = point(args) { return .moveSelected(p) }
            if args.count == 3, let p = point(Array(args[1...])) { return .order(.move(args[0], to: p)) }
            return .invalid("move takes X Y (whole numbers), or SHIP X Y: :move 3 4")
        case "step":
            guard args.count == 1, ["N", "E", "S", "W"].contains(args[0].uppercased()) else {
                return .invalid("step takes a direction N, E, S or W")
            }
            return .step(args[0].uppercased())
        case "stop", "mine", "sell":
            guard args.isEmpty else { return .invalid("\(verb) takes no arguments") }
            return .shipOrder(verb)
        case "attack":
            guard args.count == 1 else { return .invalid("attack takes the target ship's id: :attack P2.1") }
            return .attack(args[0])
        case "capture":
            if args.isEmpty { return .capture(nil) }
            guard let p = point(args) else { return .invalid("capture takes nothing, or the planet's X Y") }
            return .capture(p)
        case "build":
            if args.isEmpty { return .build(nil) }
            guard let p = point(args) else { return .invalid("build takes nothing (the planet under the cursor), or its X Y") }
            return .build(p)
        case "say":
            let text = line.drop { $0 == " " }.dropFirst(verb.count).trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return .invalid("say what? :say hello") }
            return .order(.say(text))
        case "view": return args.isEmpty ? .order(.view()) : .invalid("view takes no arguments")
        case "select", "sel":
            guard args.count == 1 else { return .invalid("select takes a ship id: :select P1.2") }
            return .select(args[0])
        case "help", "h", "?": return .help
        case "quit", "q", "exit": return .quit
        default: return .invalid("unknown command '\(verb)'; \(usage)")
        }
    }

    /// What running the command does, given the screen and the game.
    func actions(_ ui: inout PlayUI, _ model: PlayModel) -> [PlayAction] {
        func ship(_ make: (String) -> PlayOrderRequest) -> [PlayAction] {
            guard let s = ui.selected, model.ships[s] != nil else { return [.notice("no ship selected (Tab selects one)")] }
            return [.order(make(s))]
        }
        switch self {
        case let .order(request): return [.order(request)]
        case let .shipOrder(verb):
            switch verb {
            case "stop": return ship { .stop($0) }
            case "mine": return ship { .mine($0) }
            default: return ship { .sell($0) }
            }
        case let .moveSelected(p): return ship { .move($0, to: p) }
        case let .step(d): return ship { .step($0, d) }
        case let .attack(target): return ship { .attack($0, target) }
        case let .capture(p): return ship { .capture($0, planet: p) }
        case let .build(p):
            guard let sector = model.sectorName(selected: ui.selected) else { return [.notice("no sector to build in")] }
            let planet = p ?? ui.cursor
            return [.order(.build(sector: sector, planet: planet))]
        case let .select(id):
            guard model.ships[id] != nil else { return [.notice("you have no ship \(id)")] }
            ui.selected = id
            if let p = model.ships[id]?.position { ui.cursor = p }
            return []
        case .help:
            ui.help = true
            return []
        case .quit: return [.quit]
        case let .invalid(why): return [.notice(why)]
        }
    }
}
