import Client
import Foundation
import HTTP
import Identity
import LuaVM

/// What one outside bot needs: the server, the world, its script and its key.
public struct BotConfiguration: Sendable {
    /// The gateway, e.g. `http://127.0.0.1:8734`.
    public var server: String
    /// The world's process id.
    public var world: String
    /// The player's name in the world (letters, digits, space, `_ . -`).
    public var name: String
    /// The key file; created on the first run.
    public var keyPath: String
    /// The script's Lua source and its name in messages.
    public var script: String
    public var scriptName: String
    public var limits: LuaLimits
    /// Fatal failures (budget, memory) in a row after which the bot is stopped.
    public var maxFatalInARow = 3
    /// Keeps every feed event handled (kind, payload JSON) and the orders it gave, for
    /// replaying them elsewhere (tests).
    public var record = false

    public init(server: String, world: String, name: String, keyPath: String, script: String,
                scriptName: String = "bot.lua", limits: LuaLimits = BotRuntime.defaultLimits) {
        self.server = server
        self.world = world
        self.name = name
        self.keyPath = keyPath
        self.script = script
        self.scriptName = scriptName
        self.limits = limits
    }
}

/// An outside bot: a client of the gateway like the terminal one. It loads (or creates)
/// its key, Joins the world, follows its player's stream (reconnecting and resuming
/// with `Last-Event-ID`), feeds each event to its `BotRuntime` and sends the orders as
/// signed pushes. Created and run by a `BotHost`.
public final class BotClient: @unchecked Sendable {
    /// One event of the player's feed, as the runtime takes it.
    public struct FeedEvent: Sendable, Equatable {
        public var kind: String
        public var payload: String
    }

    /// How far the bot got, for hosts, tools and tests.
    public struct Progress: Sendable, Equatable {
        public var player: String?
        public var address: String?
        /// The tick of the last update handled.
        public var tick = 0
        public var updates = 0
        /// True once the player's view is in and `on_start` ran.
        public var started = false
        public var ordersSent = 0
        public var problems = 0
        /// Set when the bot stopped for good, with the reason.
        public var stopped: String?
        /// True when no event waits and none is being handled.
        public var idle = true
    }

    public let configuration: BotConfiguration
    private unowned let host: BotHost
    private let lock = NSLock()
    private var mailbox: [FeedEvent] = []
    private var scheduled = false
    private var progressValue = Progress()
    private var recorded: [(event: FeedEvent, orders: [BotOrder])] = []
    private var stopRequested = false

    // Touched only by this bot's worker thread (the reader hands the runtime over
    // before the first event is queued; the client is made on the worker, since its
    // event loop belongs to the thread that first uses it).
    private var runtime: BotRuntime?
    private var client: StarlaneClient?
    private var key: ClientKey?
    private var fatalInARow = 0
    private var lastProblem = ""

    /// The worker thread this bot runs on.
    let worker: Int

    init(configuration: BotConfiguration, host: BotHost, worker: Int) {
        self.configuration = configuration
        self.host = host
        self.worker = worker
    }

    /// Nonces never used before by this key: this run's start time and a counter (two
    /// clients of the bot, the reader's and the worker's, share it).
    private let nonceBase = String(UInt64(Date().timeIntervalSince1970 * 1_000_000), radix: 36) + "b"
    private var nonceCounter = 0
    private func nextNonce() -> String {
        lock.lock()
        defer { lock.unlock() }
        nonceCounter += 1
        return "\(nonceBase).\(nonceCounter)"
    }

    /// A snapshot of the bot's progress.
    public var progress: Progress {
        lock.lock()
        defer { lock.unlock() }
        return progressValue
    }

    /// What the bot handled and sent, when `configuration.record` is set.
    public var recording: [(event: FeedEvent, orders: [BotOrder])] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func start() {
        let thread = Thread { [self] in readerMain() }
        thread.name = "bot-\(configuration.name)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops after the event in hand; the stream closes at its next event or disconnect.
    public func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested || progressValue.stopped != nil
    }

    private func say(_ line: String) { host.log("[\(configuration.name)] \(line)") }

    private func finish(_ reason: String) {
        lock.lock()
        if progressValue.stopped == nil { progressValue.stopped = reason }
        lock.unlock()
        say("stopped: \(reason)")
    }

    // MARK: - The reader thread: load, join, follow

    private func readerMain() {
        let runtime: BotRuntime
        do {
            runtime = try BotRuntime(script: configuration.script, name: configuration.scriptName, limits: configuration.limits)
        } catch {
            finish(error.message)
            return
        }
        let key: ClientKey
        let client: StarlaneClient
        let player: String
        do {
            key = try KeyFile.loadOrCreate(configuration.keyPath).key
            client = try StarlaneClient(server: configuration.server, key: key)
            player = try join(client, address: key.address)
        } catch {
            finish("cannot join the world \(configuration.world): \(error)")
            return
        }
        self.runtime = runtime
        self.key = key
        lock.lock()
        progressValue.player = player
        progressValue.address = key.address
        lock.unlock()
        say("playing as \(key.address.prefix(8))… (player process \(player))")
        let follower: StreamFollower
        let start: Int64
        do {
            // The View answer (grids, ships, credits) is where this bot's stream starts.
            start = try client.push(to: player, tags: [ClientTag("Action", "View")], nonce: nextNonce()).slot
            follower = try StreamFollower(server: configuration.server, process: player, fromSlot: start)
        } catch {
            finish("cannot ask the player process for its view: \(error)")
            return
        }
        follow(follower, address: key.address)
    }

    /// Joins (idempotent) and answers the player process id: a known key gets its
    /// `Joined` in the result at once; a new one waits for it on the world's stream.
    private func join(_ client: StarlaneClient, address: String) throws -> String {
        var tags = [ClientTag("Action", "Join")]
        tags.append(ClientTag("Player-Name", configuration.name))
        let answer = try client.push(to: configuration.world, tags: tags, waitForResult: true, nonce: nextNonce())
        if let error = answer.result?.Error { throw ClientError(status: nil, message: "Join failed: \(error)") }
        for message in answer.result?.Messages ?? [] where message.Target == address {
            if message[tag: "Action"] == "Joined", let process = message[tag: "Process"] { return process }
            if message[tag: "Action"] == "Join-Error" {
                throw ClientError(status: nil, message: message[tag: "Error"] ?? "Join refused")
            }
        }
        let http = BlockingHTTPClient(url: try HTTPURL(configuration.server), timeout: .seconds(10))
        defer { http.close() }
        var found: String?
        var refused: String?
        _ = try http.stream("/\(configuration.world)/stream?from=\(answer.slot)", onEvent: { event in
            guard event.event == "message", let message = Self.decodeMessage(event.data), message.Target == address else { return true }
            if message[tag: "Action"] == "Joined" { found = message[tag: "Process"] }
            if message[tag: "Action"] == "Join-Error" { refused = message[tag: "Error"] ?? "Join refused" }
            return found == nil && refused == nil
        }, timeout: .seconds(60))
        if let refused { throw ClientError(status: nil, message: refused) }
        guard let found else { throw ClientError(status: nil, message: "no Joined answer within 60 s") }
        return found
    }

    private func follow(_ follower: StreamFollower, address: String) {
        var backoff = 0.25
        while !isStopping {
            do {
                try follower.follow(attempts: 1, onEvent: { [self] event in
                    backoff = 0.25
                    if let feed = feedEvent(event, address: address) { enqueue(feed) }
                    return !isStopping
                })
                return
            } catch let error as ClientError where error.status != nil {
                finish("the server refused the stream: \(error)")
                return
            } catch {
                if isStopping { return }
                say("stream lost (\(error)); resuming in \(backoff) s")
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 8)
            }
        }
    }

    static func decodeMessage(_ data: String) -> ClientMessage? {
        try? JSONDecoder().decode(ClientMessage.self, from: Data(data.utf8))
    }

    /// The runtime's event for one server-sent event of the player's stream.
    private func feedEvent(_ event: ServerSentEvent, address: String) -> FeedEvent? {
        if event.event == "error" {
            say("the player process failed a message: \(event.data.prefix(300))")
            return nil
        }
        guard event.event == "message", let m = Self.decodeMessage(event.data), m.Target == address else { return nil }
        switch m[tag: "Action"] {
        case "Update": return FeedEvent(kind: "update", payload: m.Data)
        case "View": return FeedEvent(kind: "view", payload: m.Data)
        case "Order-Error":
            var payload: [String: String] = ["error": m[tag: "Error"] ?? "order refused"]
            payload["order"] = m[tag: "Order"]
            payload["ship"] = m[tag: "Ship"]
            payload["sector"] = m[tag: "Sector"]
            return FeedEvent(kind: "order-error", payload: BotRuntime.json(payload))
        case "Chat":
            var payload: [String: Any] = ["text": m.Data]
            payload["sector"] = m[tag: "Sector"]
            payload["speaker"] = m[tag: "Speaker"].flatMap { Int($0) }
            payload["name"] = m[tag: "Speaker-Name"]
            return FeedEvent(kind: "chat", payload: BotRuntime.json(payload))
        default: return nil
        }
    }

    private func enqueue(_ event: FeedEvent) {
        lock.lock()
        mailbox.append(event)
        progressValue.idle = false
        let wake = !scheduled
        scheduled = true
        lock.unlock()
        if wake { host.schedule(self) }
    }

    // MARK: - On a worker: run the script, send the orders

    /// Handles the events waiting (a few at a time, then yields the worker).
    func drain() {
        lock.lock()
        let batch = Array(mailbox.prefix(8))
        mailbox.removeFirst(batch.count)
        lock.unlock()
        for event in batch where !isStopping {
            handle(event)
        }
        lock.lock()
        if isStoppingLocked { mailbox.removeAll() }
        let more = !mailbox.isEmpty
        scheduled = more
        if !more { progressValue.idle = true }
        lock.unlock()
        if more { host.schedule(self) }
    }

    private var isStoppingLocked: Bool { stopRequested || progressValue.stopped != nil }

    private func handle(_ event: FeedEvent) {
        guard let runtime, let key, let player = progress.player else { return }
        if client == nil { client = try? StarlaneClient(server: configuration.server, key: key) }
        guard let client else { return }
        let step: BotStep
        do {
            step = try runtime.handle(event.kind, event.payload)
            fatalInARow = 0
        } catch {
            fatalInARow += 1
            report(error.message)
            if fatalInARow >= configuration.maxFatalInARow {
                finish("\(configuration.scriptName) failed \(fatalInARow) times in a row: \(error.message)")
            }
            return
        }
        for line in step.printed { say(line) }
        for problem in step.problems { report(problem) }
        var sent = 0
        for order in step.orders {
            do {
                _ = try client.push(to: player, tags: order.tags, data: order.data, nonce: nextNonce())
                sent += 1
            } catch {
                report("cannot send \(order.action): \(error)")
            }
        }
        lock.lock()
        if configuration.record { recorded.append((event, step.orders)) }
        if event.kind == "view" { progressValue.started = true }
        if event.kind == "update" {
            progressValue.updates += 1
            if let tick = Self.tick(of: event.payload) { progressValue.tick = max(progressValue.tick, tick) }
        }
        progressValue.ordersSent += sent
        lock.unlock()
    }

    /// Reports a problem; the same sentence again and again is shown once per 50.
    private func report(_ problem: String) {
        lock.lock()
        progressValue.problems += 1
        lock.unlock()
        if problem == lastProblem {
            repeats += 1
            if repeats % 50 != 0 { return }
            say("\(problem) (\(repeats + 1) times)")
            return
        }
        lastProblem = problem
        repeats = 0
        say(problem)
    }

    private var repeats = 0

    static func tick(of json: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return (object["tick"] as? NSNumber)?.intValue
    }
}
