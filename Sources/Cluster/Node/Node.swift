import EventLoop
import Foundation
import Ledger

/// A Starlane node: one loop thread per shard running the processes whose ids map
/// to it, and one ledger writer thread making their logs durable. Thread-safe:
/// every call is handed to the owning shard's loop through its wakeup queue (the
/// only cross-thread door), and answers come back once durable.
public final class Node: @unchecked Sendable {
    public let configuration: NodeConfiguration
    public let ledger: Ledger
    let map: ShardMap
    private let directory = ProcessDirectory()
    private var threads: [Thread] = []
    private var requests: [AsyncWakeup<@Sendable () -> Void>.Sender] = []
    /// The shards, touched only by closures that run on their own loop threads.
    private var shards: [LoopConfined<Shard>] = []
    private let lock = NSLock()
    private var stopped = false
    private var joined = false
    /// Work handed from one shard to another and not yet run (for idleness).
    private var inTransit = 0
    private var handOffCount = 0
    private let finished = DispatchSemaphore(value: 0)
    /// What the start-up recovery did, summed over the shards.
    public private(set) var recovery = RecoveryReport()

    /// Opens (or creates) the node's database.
    public init(configuration: NodeConfiguration) throws {
        self.configuration = configuration
        map = ShardMap(count: max(1, configuration.shards))
        // Messages between processes leave before their commit (see Shard): a failed
        // batch must stop every later one, so the log never keeps an effect without its cause.
        var ledgerConfiguration = LedgerConfiguration()
        ledgerConfiguration.failureStopsWriting = true
        ledger = try Ledger(path: configuration.databasePath, configuration: ledgerConfiguration)
    }

    public var shardCount: Int { map.count }

    /// The shard that runs `process` (fixed by its id).
    public func shardIndex(of process: String) -> Int { map.index(of: process) }

    /// Recovers every process from the log, then starts serving.
    public func start() throws {
        let ready = DispatchSemaphore(value: 0)
        let startup = Startup(count: map.count)
        for index in 0..<map.count {
            let thread = Thread { [self] in
                do {
                    let loop = try Loop()
                    let shard = try Shard(index: index, map: map, directory: directory, loop: loop, ledger: ledger,
                                          configuration: configuration)
                    shard.forward = { [unowned self] target, work in self.send(to: target, work) }
                    let report = try shard.load()
                    let wakeup = try AsyncWakeup<@Sendable () -> Void>(loop: loop) { $0() }
                    startup.lock.withLock {
                        startup.reports[index] = report
                        startup.slots[index] = (wakeup.sender, LoopConfined(shard))
                    }
                    ready.signal()
                    _ = loop.run()
                    loop.closeAll()
                    _ = loop.run()
                    try? loop.close()
                } catch {
                    startup.lock.withLock { startup.errors.append("\(error)") }
                    ready.signal()
                }
                finished.signal()
            }
            thread.name = "starlane-shard-\(index)"
            threads.append(thread)
            thread.start()
        }
        for _ in 0..<map.count { ready.wait() }
        let (reports, slots, errors) = startup.lock.withLock { (startup.reports, startup.slots, startup.errors) }
        if let error = errors.first {
            beginStopAllLoaded(slots.compactMap { $0 })
            throw NodeError.invalidRequest("the node could not start: \(error)")
        }
        lock.withLock {
            requests = slots.map { $0!.0 }
            shards = slots.map { $0!.1 }
        }
        // Every shard is loaded: now unrouted output may cross shards.
        recovery = reports.reduce(into: RecoveryReport()) { total, report in
            total.processes += report.processes
            total.fromSnapshots += report.fromSnapshots
        }
        let redelivered = LoopConfined(NSMutableArray())
        let done = DispatchSemaphore(value: 0)
        for index in 0..<map.count {
            send(to: index) { shard in
                redelivered.value.add((try? shard.redeliverPending()) ?? 0)
                done.signal()
            }
        }
        for _ in 0..<map.count { done.wait() }
        recovery.redelivered = redelivered.value.reduce(0) { $0 + ($1 as! Int) }
    }

    // MARK: - Requests

    /// Work handed to a shard's loop from another thread so far: requests from
    /// outside, and messages and spawns crossing from one shard to another.
    public var handOffs: Int { lock.withLock { handOffCount } }

    /// Runs `work` on shard `index`'s loop. False once the node stops.
    @discardableResult
    func send(to index: Int, _ work: @escaping (Shard) -> Void) -> Bool {
        let target: (AsyncWakeup<@Sendable () -> Void>.Sender, LoopConfined<Shard>)? = lock.withLock {
            guard !stopped, index < requests.count else { return nil }
            inTransit += 1
            handOffCount += 1
            return (requests[index], shards[index])
        }
        guard let (sender, shard) = target else { return false }
        let call = LoopCall(shard.value, work)
        let accepted = sender.send { [self] in
            lock.withLock { inTransit -= 1 }
            call.run()
        }
        if !accepted { lock.withLock { inTransit -= 1 } }
        return accepted
    }

    /// Runs `work` on the loop of the shard that owns `process`.
    @discardableResult
    func onOwner(of process: String, _ work: @escaping (Shard) -> Void) -> Bool {
        send(to: map.index(of: process), work)
    }

    /// Spawns a process from Lua source; answers once its spawn message is durable.
    public func spawn(module source: String, owner: String, tags: [Tag] = [], data: String = "",
                      nonce: String = UUID().uuidString) async throws -> PushReceipt {
        let id = Shard.spawnID(source: source, owner: owner, nonce: nonce)
        return try await withReply(on: id) { shard, reply in
            shard.spawn(source: source, owner: owner, tags: tags, data: data, nonce: nonce, reply: reply)
        }
    }

    /// Sends a message to a process; answers with its slot and result once durable.
    public func push(to target: String, from: String, tags: [Tag], data: String = "",
                     id: String? = nil) async throws -> PushReceipt {
        try await withReply(on: target) { shard, reply in
            shard.deliver(Envelope(target: target, from: from, owner: from, tags: tags, data: data,
                                   id: id, reply: reply))
        }
    }

    /// Stores a module so processes can `Spawn` it by id; returns the id.
    public func storeModule(_ source: String) async throws -> String {
        // Every shard caches it first (each queue is FIFO, so before any spawn that
        // follows): with the ledger off there is no table for a shard to read it from.
        let id = Identifiers.module(source: source)
        for index in 1..<max(1, map.count) { send(to: index) { $0.modules[id] = source } }
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = send(to: 0) { shard in
                shard.storeModule(source) { continuation.resume(with: $0.mapError { $0 as Error }) }
            }
            if !accepted { continuation.resume(throwing: NodeError.stopped) }
        }
    }

    /// Returns once no shard has work queued or uncommitted and nothing is in
    /// transit between shards.
    public func waitUntilIdle() async throws {
        var quietPasses = 0
        var lastEpochs = -1
        while quietPasses < 2 {
            var epochs = 0
            for index in 0..<map.count {
                epochs += try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, Error>) in
                    let accepted = send(to: index) { shard in
                        if shard.isIdle { continuation.resume(returning: shard.epoch) }
                        else { shard.idleWaiters.append { continuation.resume(returning: shard.epoch) } }
                    }
                    if !accepted { continuation.resume(throwing: NodeError.stopped) }
                }
            }
            let transit = lock.withLock { inTransit }
            quietPasses = (transit == 0 && epochs == lastEpochs) ? quietPasses + 1 : 0
            lastEpochs = epochs
        }
    }

    /// The ids of every process the node runs.
    public func processIDs() async throws -> [String] {
        var ids: [String] = []
        for index in 0..<map.count {
            ids += try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[String], Error>) in
                let accepted = send(to: index) { shard in continuation.resume(returning: Array(shard.processes.keys)) }
                if !accepted { continuation.resume(throwing: NodeError.stopped) }
            }
        }
        return ids.sorted()
    }

    /// How many processes have their heap out of memory now (tests, benchmarks).
    public func hibernatingCount() async throws -> Int {
        var count = 0
        for index in 0..<map.count {
            count += try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, Error>) in
                let accepted = send(to: index) { shard in continuation.resume(returning: shard.hibernatingCount) }
                if !accepted { continuation.resume(throwing: NodeError.stopped) }
            }
        }
        return count
    }

    /// Runs a read on the loop thread (tests and tools: inspect a process; wakes it).
    public func inspect(_ process: String, _ source: String) async throws -> String? {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = onOwner(of: process) { shard in
                guard let runtime = shard.processes[process] else {
                    continuation.resume(throwing: NodeError.unknownProcess(process))
                    return
                }
                continuation.resume(with: Result {
                    try shard.awaken(runtime)
                    return try runtime.process.inspect(source)
                })
            }
            if !accepted { continuation.resume(throwing: NodeError.stopped) }
        }
    }

    private func withReply(on process: String, _ body: @escaping (Shard, @escaping PushReply) -> Void) async throws -> PushReceipt {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = onOwner(of: process) { shard in
                body(shard) { continuation.resume(with: $0.mapError { $0 as Error }) }
            }
            if !accepted { continuation.resume(throwing: NodeError.stopped) }
        }
    }

    // MARK: - Stop

    /// Stops taking work, lets the running batches commit, closes the loops and
    /// the ledger. Safe to call twice, and after a signal stopped the node.
    public func stop() {
        beginStopAll()
        waitUntilStopped()
    }

    /// Blocks until every loop thread has ended (after `stop()` or a signal), then
    /// closes the ledger once everything it was given is durable.
    public func waitUntilStopped() {
        let count = lock.withLock { () -> Int in
            defer { joined = true }
            return joined ? 0 : threads.count
        }
        for _ in 0..<count { finished.wait() }
        ledger.close()
    }

    /// SIGINT and SIGTERM stop the node cleanly: no new work is taken, the batches
    /// being committed finish, then the loops end (see `waitUntilStopped`).
    public func stopOnSignals(_ onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) {
        send(to: 0) { [self] shard in
            let handler: (SignalWatcher.Signal) -> Void = { [self] signal in
                onSignal(signal.rawValue)
                beginStopAll()
            }
            for signal in [SignalWatcher.Signal.interrupt, .terminate] {
                guard let watcher = try? SignalWatcher(loop: shard.loop) else { continue }
                try? watcher.start(signal, handler)
                shard.signalWatchers.append(watcher)
            }
        }
    }

    /// What the shard threads hand back while the node starts.
    private final class Startup: @unchecked Sendable {
        let lock = NSLock()
        var reports: [RecoveryReport]
        var slots: [(AsyncWakeup<@Sendable () -> Void>.Sender, LoopConfined<Shard>)?]
        var errors: [String] = []

        init(count: Int) {
            reports = Array(repeating: RecoveryReport(), count: count)
            slots = Array(repeating: nil, count: count)
        }
    }

    /// A failed start: stop the shards that did come up.
    private func beginStopAllLoaded(_ loaded: [(AsyncWakeup<@Sendable () -> Void>.Sender, LoopConfined<Shard>)]) {
        lock.withLock { stopped = true }
        for (sender, shard) in loaded {
            let call = LoopCall(shard.value) { Node.beginStop($0) }
            sender.send { call.run() }
        }
    }

    /// Asks every shard to stop, then refuses new requests.
    private func beginStopAll() {
        for index in 0..<map.count {
            send(to: index) { shard in Node.beginStop(shard) }
        }
        lock.withLock { stopped = true }
    }

    /// On a shard's loop: close everything once idle.
    private static func beginStop(_ shard: Shard) {
        guard !shard.isStopping else { return }
        shard.isStopping = true
        for runtime in shard.processes.values { runtime.cronTimer?.stop() }
        let finish = {
            shard.onIdle = nil
            shard.close()
            shard.loop.stop()
        }
        if shard.isIdle { finish() } else { shard.onIdle = finish }
    }
}
