import EventLoop
import Foundation
import Ledger

/// A Starlane node: one loop thread running the processes, one ledger writer
/// thread making their logs durable. Thread-safe: every call is handed to the
/// loop through its wakeup queue, and answers come back once durable.
public final class Node: @unchecked Sendable {
    public let configuration: NodeConfiguration
    public let ledger: Ledger
    private var thread: Thread?
    private var requests: AsyncWakeup<@Sendable () -> Void>.Sender?
    /// The shard, touched only by closures that run on the loop thread.
    private var shard: LoopConfined<Shard>?
    private let lock = NSLock()
    private var stopped = false
    private var joined = false
    private let finished = DispatchSemaphore(value: 0)
    /// What the start-up recovery did.
    public private(set) var recovery = RecoveryReport()

    /// Opens (or creates) the node's database.
    public init(configuration: NodeConfiguration) throws {
        self.configuration = configuration
        ledger = try Ledger(path: configuration.databasePath)
    }

    /// Recovers every process from the log, then starts serving.
    public func start() throws {
        let ready = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var startError: Error?
        let thread = Thread { [self] in
            do {
                let loop = try Loop()
                let shard = try Shard(loop: loop, ledger: ledger, configuration: configuration)
                recovery = try shard.recover()
                let wakeup = try AsyncWakeup<@Sendable () -> Void>(loop: loop) { $0() }
                lock.withLock {
                    requests = wakeup.sender
                    self.shard = LoopConfined(shard)
                }
                ready.signal()
                _ = loop.run()
                loop.closeAll()
                _ = loop.run()
                try? loop.close()
            } catch {
                startError = error
                ready.signal()
            }
            finished.signal()
        }
        thread.name = "starlane-loop"
        self.thread = thread
        thread.start()
        ready.wait()
        if let startError { throw startError }
    }

    // MARK: - Requests

    /// Runs `work` on the loop thread with the shard. False once the node stops.
    @discardableResult
    func onLoop(_ work: @escaping (Shard) -> Void) -> Bool {
        let (sender, shard) = lock.withLock { stopped ? (nil, nil) : (requests, self.shard) }
        guard let sender, let shard else { return false }
        let call = LoopCall(shard.value, work)
        return sender.send { call.run() }
    }

    /// Spawns a process from Lua source; answers once its spawn message is durable.
    public func spawn(module source: String, owner: String, tags: [Tag] = [], data: String = "",
                      nonce: String = UUID().uuidString) async throws -> PushReceipt {
        try await withReply { shard, reply in
            shard.spawn(source: source, owner: owner, tags: tags, data: data, nonce: nonce, reply: reply)
        }
    }

    /// Sends a message to a process; answers with its slot and result once durable.
    public func push(to target: String, from: String, tags: [Tag], data: String = "",
                     id: String? = nil) async throws -> PushReceipt {
        try await withReply { shard, reply in
            shard.deliver(Envelope(target: target, from: from, owner: from, tags: tags, data: data,
                                   id: id, reply: reply))
        }
    }

    /// Stores a module so processes can `Spawn` it by id; returns the id.
    public func storeModule(_ source: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = onLoop { shard in
                shard.storeModule(source) { continuation.resume(with: $0.mapError { $0 as Error }) }
            }
            if !accepted { continuation.resume(throwing: NodeError.stopped) }
        }
    }

    /// Returns once no process has work queued and every batch is durable.
    public func waitUntilIdle() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let accepted = onLoop { shard in
                if shard.isIdle { continuation.resume() } else { shard.idleWaiters.append { continuation.resume() } }
            }
            if !accepted { continuation.resume(throwing: NodeError.stopped) }
        }
    }

    /// The ids of every process the node runs.
    public func processIDs() async throws -> [String] {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = onLoop { shard in continuation.resume(returning: shard.processes.keys.sorted()) }
            if !accepted { continuation.resume(throwing: NodeError.stopped) }
        }
    }

    /// Runs a read on the loop thread (tests and tools: inspect a process).
    public func inspect(_ process: String, _ source: String) async throws -> String? {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = onLoop { shard in
                guard let runtime = shard.processes[process] else {
                    continuation.resume(throwing: NodeError.unknownProcess(process))
                    return
                }
                continuation.resume(with: Result { try runtime.process.inspect(source) })
            }
            if !accepted { continuation.resume(throwing: NodeError.stopped) }
        }
    }

    private func withReply(_ body: @escaping (Shard, @escaping PushReply) -> Void) async throws -> PushReceipt {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = onLoop { shard in
                body(shard) { continuation.resume(with: $0.mapError { $0 as Error }) }
            }
            if !accepted { continuation.resume(throwing: NodeError.stopped) }
        }
    }

    // MARK: - Stop

    /// Stops taking work, lets the running batch commit, closes the loop and the
    /// ledger. Safe to call twice, and after a signal stopped the node.
    public func stop() {
        onLoop { [self] shard in beginStop(shard) }
        waitUntilStopped()
    }

    /// Blocks until the loop thread has ended (after `stop()` or a signal), then
    /// closes the ledger once everything it was given is durable.
    public func waitUntilStopped() {
        let first = lock.withLock { () -> Bool in
            defer { joined = true }
            return !joined && thread != nil
        }
        if first { finished.wait() }
        ledger.close()
    }

    /// SIGINT and SIGTERM stop the node cleanly: no new work is taken, the batch
    /// being committed finishes, then the loop ends (see `waitUntilStopped`).
    public func stopOnSignals(_ onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) {
        onLoop { [self] shard in
            guard let watcher = try? SignalWatcher(loop: shard.loop) else { return }
            let handler: (SignalWatcher.Signal) -> Void = { [self] signal in
                onSignal(signal.rawValue)
                beginStop(shard)
            }
            try? watcher.start(.interrupt, handler)
            shard.signalWatchers.append(watcher)
            if let terminate = try? SignalWatcher(loop: shard.loop) {
                try? terminate.start(.terminate, handler)
                shard.signalWatchers.append(terminate)
            }
        }
    }

    /// On the loop: refuse new requests, then close everything once idle.
    private func beginStop(_ shard: Shard) {
        guard !shard.isStopping else { return }
        shard.isStopping = true
        lock.withLock { stopped = true }
        for runtime in shard.processes.values { runtime.cronTimer?.stop() }
        let finish = {
            shard.onIdle = nil
            shard.close()
            shard.loop.stop()
        }
        if shard.isIdle { finish() } else { shard.onIdle = finish }
    }
}
