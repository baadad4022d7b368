import Client
import Foundation
import Identity

/// `starlane play`: joins a world and runs the full-screen client until `q`.
/// The UI thread owns the terminal and the model; the network threads hand it
/// events through a `PlayInbox`.
public enum PlayClient {
    public struct Options: Sendable {
        public var server: String
        public var key: ClientKey
        public var name: String?
        public var world: String?

        public init(server: String, key: ClientKey, name: String? = nil, world: String? = nil) {
            self.server = server
            self.key = key
            self.name = name
            self.world = world
        }
    }

    /// Joins, then plays; returns when the player quits. Errors before the screen
    /// starts (server down, unknown world, refused join) are thrown in plain words.
    public static func run(_ options: Options, log: (String) -> Void = { print($0) }) throws {
        let client = try StarlaneClient(server: options.server, key: options.key, timeout: .seconds(10))
        let world = try options.world ?? PlayJoin.discoverWorld(client)
        log("starlane: joining world \(world) as \(options.name ?? "a new player") (key \(options.key.address))")
        let joined = try PlayJoin.join(client, world: world, address: options.key.address, name: options.name)
        log("starlane: you are player \(joined.number.map(String.init) ?? "?") \"\(joined.name ?? "")\", process \(joined.process)")
        let terminal = try PlayTerminal()
        defer { terminal.close() }
        var model = PlayModel(world: world, process: joined.process, number: joined.number, name: joined.name,
                              homeSector: joined.sector)
        model.append(.init(kind: .info, text: "joined as \(joined.name ?? "?") (player \(joined.number.map(String.init) ?? "?")); ? shows the keys"))
        let inbox = PlayInbox()
        let network = PlayNetwork(server: options.server, key: options.key, player: joined.process, inbox: inbox)
        let app = PlayApp(model: model, terminal: terminal, network: network, inbox: inbox)
        network.start()
        app.run()
        network.stop()
    }
}

/// The UI loop: read keys (with a timeout, so events are drained even when nobody
/// types), apply events to the model, render, draw the difference.
final class PlayApp {
    var model: PlayModel
    var ui = PlayUI()
    let terminal: PlayTerminal
    let network: PlayNetwork
    let inbox: PlayInbox
    let renderer = PlayRenderer()

    init(model: PlayModel, terminal: PlayTerminal, network: PlayNetwork, inbox: PlayInbox) {
        self.model = model
        self.terminal = terminal
        self.network = network
        self.inbox = inbox
    }

    func run() {
        var running = true
        var frame: PlayBuffer?
        var lastDraw = Date.distantPast
        while running {
            var dirty = false
            var wait: Int32 = 100
            // Every key already typed, then the network's news.
            input: while true {
                switch terminal.read(milliseconds: wait) {
                case .timeout: break input
                case .other: break
                case .resize:
                    terminal.invalidate(clear: false)
                    dirty = true
                case let .key(key):
                    dirty = true
                    for action in PlayControls.handle(key, &ui, model) where !perform(action) { running = false }
                }
                wait = 0
            }
            for event in inbox.drain() {
                dirty = true
                model.apply(event)
                if event == .connection(.connected) { send(.view()) }
            }
            if terminal.isGone { running = false }
            PlayControls.reconcile(&ui, model)
            if dirty || frame == nil || Date().timeIntervalSince(lastDraw) > 1 {
                let size = terminal.size
                let next = renderer.render(model, ui, width: size.width, height: size.height)
                if next != frame {
                    terminal.draw(next)
                    frame = next
                }
                lastDraw = Date()
            }
        }
    }

    /// Returns false to quit.
    private func perform(_ action: PlayAction) -> Bool {
        switch action {
        case let .order(request): send(request)
        case let .notice(text): model.append(.init(kind: .info, text: text))
        case .redraw: terminal.invalidate(clear: true)
        case .quit: return false
        }
        return true
    }

    private func send(_ request: PlayOrderRequest) {
        let order = network.prepare(request)
        model.ordered(request, id: order.id)
        network.enqueue(order)
    }
}
