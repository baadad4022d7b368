import Foundation

/// Runs bots: each bot's stream is read by a thread of its own (blocking I/O, no Lua),
/// and the bots' Lua and order sending run on a small pool of worker threads. A bot is
/// pinned to one worker (round robin), so its Lua state and its HTTP client's loop are
/// only ever touched by that thread. A bad bot costs a worker at most its budget per
/// event, and is stopped after a few fatal failures in a row; it never blocks the
/// others' streams.
public final class BotHost: @unchecked Sendable {
    private let condition = NSCondition()
    /// Bots with events waiting, per worker.
    private var ready: [[BotClient]]
    private var bots: [BotClient] = []
    private var stopping = false
    private var workers: [Thread] = []
    let log: @Sendable (String) -> Void

    /// `threads` workers; `log` receives every line the bots report (thread-safe).
    public init(threads: Int = 2, log: @escaping @Sendable (String) -> Void) {
        self.log = log
        ready = Array(repeating: [], count: max(1, threads))
        for i in 0..<max(1, threads) {
            let thread = Thread { [self] in work(i) }
            thread.name = "bot-worker-\(i)"
            thread.start()
            workers.append(thread)
        }
    }

    /// Starts a bot (it loads its script, joins and plays until `stop`).
    @discardableResult
    public func add(_ configuration: BotConfiguration) -> BotClient {
        condition.lock()
        let bot = BotClient(configuration: configuration, host: self, worker: bots.count % ready.count)
        bots.append(bot)
        condition.unlock()
        bot.start()
        return bot
    }

    /// Every bot added so far.
    public var all: [BotClient] {
        condition.lock()
        defer { condition.unlock() }
        return bots
    }

    /// Stops every bot and the workers (their streams end at their next event or
    /// disconnect).
    public func stop() {
        condition.lock()
        stopping = true
        let current = bots
        condition.broadcast()
        condition.unlock()
        for bot in current { bot.stop() }
    }

    /// Queues `bot` to run its pending events on a worker.
    func schedule(_ bot: BotClient) {
        condition.lock()
        ready[bot.worker].append(bot)
        condition.broadcast()
        condition.unlock()
    }

    private func work(_ worker: Int) {
        while true {
            condition.lock()
            while ready[worker].isEmpty && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            let bot = ready[worker].removeFirst()
            condition.unlock()
            bot.drain()
        }
    }
}
