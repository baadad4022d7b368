import Crypto
import EventLoop
import Foundation
import Ledger

/// The processes of one loop and the path of a message through them:
/// assign a slot (and its hash-chain link) → mailbox → evaluate in fair turns →
/// the turns of a run gather one ledger batch → route the outbox → once durable:
/// answer the sender.
///
/// Confined to its loop's thread. Nothing leaves the node before the entries that
/// caused it are durable: replies, streams and dry-run answers wait for the commit.
/// Messages between processes do not: they are routed as soon as their batch is
/// submitted. The ledger's single writer commits batches in submission order and
/// stops at the first failure (`failureStopsWriting`), and a routed message's own
/// entry is submitted after its sender's, so the log never holds an effect without
/// its cause; a crash loses a suffix, which recovery redelivers or the sender's
/// unanswered client sends again.
final class Shard {
    /// This shard's place in the node, and how process ids map to shards.
    let index: Int
    let map: ShardMap
    /// Runs work on another shard's loop (set by the node before any work).
    var forward: ((Int, @escaping (Shard) -> Void) -> Void)?
    /// Counts deliveries, so the node can tell a quiet cluster from a pause.
    private(set) var epoch = 0
    let loop: Loop
    let ledger: Ledger
    let configuration: NodeConfiguration
    var processes: [String: ProcessRuntime] = [:]
    /// The ids of every shard's processes (shared): emitted messages to others stay here.
    let directory: ProcessDirectory
    var modules: [String: String] = [:]
    private var runQueue = RunQueue()
    /// Runs the next run of turns on the next loop iteration, after the loop polled.
    private var runner: Idle
    private var runScheduled = false
    var commits: AsyncWakeup<@Sendable () -> Void>!
    /// Completions of batches with the ledger off, run on a later iteration of this
    /// loop: no writer thread, so no cross-thread wake-up (a syscall per run of turns).
    var localCompletions: [() -> Void] = []
    var localCompletionTimer: EventLoop.Timer
    /// Batches submitted to the ledger and not yet completed.
    var inflight = 0
    /// Writes of those batches: turns stop while this many wait for the ledger, so
    /// evaluation (which does not wait for commits) cannot outrun the writer without
    /// bound. (64 turns of 32 messages; the recovery recheck window counts on it.)
    var inflightWrites = 0
    static let maxInflightWrites = 2_048
    /// Set when turns stopped for the ledger: its next completion resumes them.
    private var waitingForLedger = false
    /// What a run of turns submits, handed to the ledger as one batch (`flushSubmissions`).
    var gathered = GatheredSubmissions()
    private(set) var inTurns = false
    /// A gathered batch is flushed early at this size, to bound batches and latency.
    static let gatherTurns = 32
    static let gatherWrites = 512
    /// Set when the ledger failed a batch: the node stops taking work.
    private(set) var failure: String?
    var onIdle: (() -> Void)?
    /// Scans for idle processes to hibernate (Shard+Hibernation).
    var hibernationTimer: EventLoop.Timer?
    /// Keeps the loop polling without sleeping for `spinAfterWork` after a run of
    /// turns: the next message from another thread is taken at once, instead of
    /// after the kernel wakes this thread (tens to hundreds of µs on a VM).
    private var spinner: Idle
    private var spinUntil = ContinuousClock.now
    var signalWatchers: [SignalWatcher] = []
    var isStopping = false
    /// Ids of messages from outside (pushes, spawns, cron) assigned and not yet durable.
    private var pendingIDs = Set<String>()
    /// Output found unrouted during recovery, delivered once all shards are loaded.
    var pendingRedelivery: [(MessageOrigin, OutboundMessage, isSpawn: Bool)] = []
    /// Called once, the next time the shard has nothing to run or commit.
    var idleWaiters: [() -> Void] = []

    init(index: Int = 0, map: ShardMap = ShardMap(count: 1), directory: ProcessDirectory = ProcessDirectory(),
         loop: Loop, ledger: Ledger, configuration: NodeConfiguration) throws {
        self.index = index
        self.map = map
        self.directory = directory
        self.loop = loop
        self.ledger = ledger
        self.configuration = configuration
        runner = Idle(loop: loop)
        spinner = Idle(loop: loop)
        localCompletionTimer = EventLoop.Timer(loop: loop)
        commits = try AsyncWakeup(loop: loop) { work in work() }
    }

    func close() {
        for runtime in processes.values { runtime.cronTimer?.close() }
        for watcher in signalWatchers { watcher.close() }
        hibernationTimer?.close()
        signalWatchers.removeAll()
        runner.close()
        runLocalCompletions()
        localCompletionTimer.close()
        spinner.close()
        commits.close()
    }

    var isIdle: Bool { runQueue.isEmpty && inflight == 0 }

    func owns(_ process: String) -> Bool { map.index(of: process) == index }

    /// Runs `work` on the shard that owns `process`: here, or through its queue.
    func onOwner(of process: String, _ work: @escaping (Shard) -> Void) {
        if owns(process) {
            work(self)
        } else {
            // Whatever leaves this shard may cause entries on another shard: the
            // entries that caused it go to the ledger first (causal order).
            flushSubmissions()
            forward!(map.index(of: process), work)
        }
    }

    /// Pauses or resumes a process wherever it runs (back-pressure).
    func setBlocked(_ process: String, _ blocked: Bool) {
        onOwner(of: process) { shard in
            guard let runtime = shard.processes[process] else { return }
            runtime.isBlocked = blocked
            if !blocked, !runtime.mailbox.isEmpty { shard.makeRunnable(process) }
        }
    }

    // MARK: - Delivery

    /// Assigns the envelope the next slot of its target and queues it.
    func deliver(_ envelope: Envelope) {
        guard owns(envelope.target) else {
            onOwner(of: envelope.target) { $0.deliver(envelope) }
            return
        }
        epoch += 1
        guard failure == nil else {
            envelope.reply?(.failure(.ledger(failure!)))
            return
        }
        guard let runtime = processes[envelope.target] else {
            envelope.reply?(.failure(.unknownProcess(envelope.target)))
            return
        }
        if envelope.origin == nil, let id = envelope.id, isKnownMessage(id) {
            envelope.reply?(.failure(.duplicate("message \(id) was already delivered")))
            return
        }
        if runtime.mailbox.count >= configuration.mailboxCapacity {
            guard let origin = envelope.origin else {
                envelope.reply?(.failure(.mailboxFull(process: runtime.id, capacity: configuration.mailboxCapacity)))
                return
            }
            // Back-pressure: a process's output waits here and its sender pauses
            // until the target drains; nothing grows beyond one output per sender.
            runtime.overflow.append(envelope)
            runtime.blockedSenders.insert(origin.process)
            setBlocked(origin.process, true)
            return
        }
        assign(envelope, to: runtime)
    }

    /// Ids of messages assigned and not yet durable: with the ledger's unique index,
    /// they make a second push of the same id fail instead of forking the chain.
    private func isKnownMessage(_ id: String) -> Bool {
        if pendingIDs.contains(id) { return true }
        return (try? ledger.assignment(messageID: id)) != nil
    }

    private func assign(_ envelope: Envelope, to runtime: ProcessRuntime) {
        let slot = runtime.lastSlot + 1
        let timestamp = max(configuration.clock(), runtime.lastTimestamp)
        let id = envelope.id ?? Identifiers.derive("message", runtime.id, String(slot))
        var tags = envelope.tags
        if envelope.cron { tags.append(Tag("Cron", "true")) }
        let assignment = AssignmentRecord(
            process: runtime.id, slot: slot, messageID: id, from: envelope.from, owner: envelope.owner,
            tags: tags, data: envelope.data, timestamp: timestamp, origin: envelope.origin,
            previousHash: runtime.lastHash)
        runtime.lastSlot = slot
        runtime.lastHash = assignment.hashChain
        runtime.lastTimestamp = timestamp
        runtime.mailbox.append(Pending(message: Message(assignment), assignment: assignment, reply: envelope.reply))
        runtime.recentlyActive = true
        // Only ids from outside are looked up (an emitted id is derived from its origin,
        // which cannot repeat): no hashing of a 43-character id per emitted message.
        if envelope.origin == nil { pendingIDs.insert(id) }
        makeRunnable(runtime.id)
    }

    func makeRunnable(_ id: String) {
        runQueue.enqueue(id)
        // During a run of turns the run itself takes it (or reschedules at its deadline).
        if !inTurns { scheduleRun() }
    }

    // MARK: - Evaluation

    /// Runs turns (at most `quantum` messages each) until nothing is runnable or
    /// `turnSlice` has passed, then lets the loop poll (sockets, timers, other shards'
    /// queues) and comes back. Work that turns make runnable on this shard runs in the
    /// same slice: a message between two local processes costs no loop iteration.
    private func runTurns() {
        let deadline = ContinuousClock.now + Self.turnSlice
        inTurns = true
        while !runQueue.isEmpty {
            if inflightWrites >= Self.maxInflightWrites {
                waitingForLedger = true
                break
            }
            let id = runQueue.next()!
            guard let runtime = processes[id], !runtime.isBlocked else { continue }
            runTurn(runtime)
            if !runtime.mailbox.isEmpty { runQueue.enqueue(id) }
            if ContinuousClock.now >= deadline {
                if !runQueue.isEmpty { scheduleRun() }
                break
            }
        }
        inTurns = false
        flushSubmissions()
        guard !waitingForLedger, runQueue.isEmpty else { return }
        spin()
        if isIdle { becameIdle() }
    }

    private func spin() {
        guard configuration.spinAfterWork > .zero else { return }
        spinUntil = ContinuousClock.now + configuration.spinAfterWork
        guard !spinner.isActive else { return }
        spinner.start { [unowned self] idle in
            if ContinuousClock.now >= self.spinUntil { idle.stop() }
        }
    }

    /// How long one run of turns may hold the loop.
    static let turnSlice = Duration.milliseconds(2)

    /// An idle handle, not a zero timer: libuv 1.44 runs a zero timer re-armed from its
    /// own callback again before it polls, so a shard busy past its slice would never
    /// read its queue or sockets. An idle handle runs once per iteration, and the loop
    /// polls (without sleeping) between two runs.
    private func scheduleRun() {
        guard !runScheduled else { return }
        runScheduled = true
        runner.start { [unowned self] idle in
            idle.stop()
            self.runScheduled = false
            self.runTurns()
        }
    }

    /// A batch completed: turns stopped for the ledger may go on.
    func resumeAfterLedger() {
        guard waitingForLedger, inflightWrites < Self.maxInflightWrites / 2 else { return }
        waitingForLedger = false
        if !runQueue.isEmpty { scheduleRun() }
    }

    func becameIdle() {
        let waiters = idleWaiters
        idleWaiters.removeAll()
        for waiter in waiters { waiter() }
        onIdle?()
    }

    private func runTurn(_ runtime: ProcessRuntime) {
        do {
            try awaken(runtime)
        } catch {
            let why = "cannot wake \(runtime.id): \(error)"
            fail(why)
            while let pending = runtime.mailbox.popFirst() { pending.reply?(.failure(.ledger(why))) }
            return
        }
        let preamble = runtime.preamble
        runtime.preamble.removeAll()
        var turn: [EvaluatedMessage] = []
        var snapshotSlot: Int64?
        for _ in 0..<configuration.quantum {
            guard let pending = runtime.mailbox.popFirst() else { break }
            let started = ContinuousClock.now
            let cpuStarted = configuration.onEvaluationCPU == nil ? 0 : CPUClock.thread()
            let result = runtime.process.handle(pending.message)
            runtime.evaluationSinceSnapshot += ContinuousClock.now - started
            if let report = configuration.onEvaluationCPU {
                report(runtime.id, pending.message.tags[tag: "Action"], CPUClock.thread() - cpuStarted)
            }
            configuration.onEvaluate?(runtime.id, pending.message.slot)
            let snapshot = snapshotIfDue(runtime, slot: pending.message.slot)
            if let snapshot { snapshotSlot = snapshot.slot }
            turn.append(EvaluatedMessage(pending: pending, result: result, snapshot: snapshot))
        }
        releaseOverflow(runtime)
        guard !preamble.isEmpty || !turn.isEmpty else { return }
        defer {
            // After the turn is gathered: whatever these messages cause is logged after them.
            for done in turn where done.result.error == nil {
                route(done.result, from: runtime.id, slot: done.pending.message.slot)
            }
        }
        // The records (results as JSON, public state) are built when the gathered batch
        // is submitted: in a run of local turns, after the next hops have run.
        let process = runtime.id
        let writes = preamble.count + turn.reduce(0) { $0 + ($1.snapshot == nil ? 1 : 2) }
        submit(writes: writes, building: { Self.records(preamble, turn, of: process) }, then: { [unowned self] in
            if let snapshotSlot { runtime.durableSnapshotSlot = max(runtime.durableSnapshotSlot, snapshotSlot) }
            for done in turn { self.committed(done.pending, done.result, in: runtime) }
            if let observer = self.configuration.onCommit {
                observer(turn.map { done in
                    CommittedSlot(process: runtime.id, slot: done.pending.message.slot, messageID: done.pending.message.id,
                                  from: done.pending.message.from, action: done.pending.message.tags[tag: "Action"],
                                  result: done.result)
                })
            }
        }, failed: { why in
            for done in turn { done.pending.reply?(.failure(.ledger(why))) }
        })
    }

    /// The ledger writes of a turn: what must precede it, then per message its entry and
    /// result, its public state and its snapshot.
    private static func records(_ preamble: [LedgerWrite], _ turn: [EvaluatedMessage], of process: String) -> [LedgerWrite] {
        var writes = preamble
        for message in turn {
            let slot = message.pending.message.slot
            writes.append(.append(message.pending.assignment, result: ResultRecord(process: process, slot: slot, message.result)))
            if message.result.error == nil {
                for entry in PublicState.entries(of: message.result, process: process, slot: slot) { writes.append(.publish(entry)) }
            }
            if let snapshot = message.snapshot { writes.append(.snapshot(snapshot)) }
        }
        return writes
    }

    /// A snapshot every `snapshotEvery` slots, or sooner once replaying the slots since
    /// the last one would take `snapshotAfterEvaluating`: a few expensive slots (one
    /// that sends 5,000 messages) would otherwise make a restart or a wake slow. None
    /// with the ledger off, where nothing would store them.
    private func snapshotIfDue(_ runtime: ProcessRuntime, slot: Int64) -> SnapshotRecord? {
        runtime.slotsSinceSnapshot += 1
        guard configuration.durable, configuration.snapshotEvery > 0,
              runtime.slotsSinceSnapshot >= configuration.snapshotEvery
                || runtime.evaluationSinceSnapshot >= configuration.snapshotAfterEvaluating,
              let bytes = try? runtime.process.checkpoint() else { return nil }
        runtime.slotsSinceSnapshot = 0
        runtime.evaluationSinceSnapshot = .zero
        return SnapshotRecord(process: runtime.id, slot: slot, bytes: Data(bytes),
                              stateHash: Data(SHA256.hash(data: bytes)))
    }

    /// Moves waiting output into the mailbox once it has room, unpausing senders.
    private func releaseOverflow(_ runtime: ProcessRuntime) {
        while runtime.mailbox.count < configuration.mailboxCapacity, let envelope = runtime.overflow.popFirst() {
            assign(envelope, to: runtime)
        }
        guard runtime.overflow.isEmpty, !runtime.blockedSenders.isEmpty else { return }
        for sender in runtime.blockedSenders { setBlocked(sender, false) }
        runtime.blockedSenders.removeAll()
    }

    func fail(_ why: String) {
        if failure == nil { failure = why }
    }

    /// The entry is durable: answer its sender (its outbox left at submission).
    private func committed(_ pending: Pending, _ result: MessageResult, in runtime: ProcessRuntime) {
        let slot = pending.message.slot
        if pending.assignment.origin == nil { pendingIDs.remove(pending.message.id) }
        runtime.markDurable(slot)
        pending.reply?(.success(PushReceipt(process: runtime.id, id: pending.message.id, slot: slot, result: result)))
    }

    /// Delivers the messages and spawns of a submitted slot. Origins number the
    /// messages first, then two per spawn (the spawn, then its Spawned notice).
    func route(_ result: MessageResult, from process: String, slot: Int64) {
        for (index, message) in result.messages.enumerated() {
            let origin = MessageOrigin(process: process, slot: slot, index: Int64(index))
            deliverEmitted(message, origin: origin)
        }
        for (i, spawn) in result.spawns.enumerated() {
            let index = Int64(result.messages.count + 2 * i)
            spawnChild(spawn, parent: process, origin: MessageOrigin(process: process, slot: slot, index: index))
        }
    }

    func deliverEmitted(_ message: OutboundMessage, origin: MessageOrigin) {
        guard let target = message.target, !message.isPatch else { return }
        // No such process: dropped, as AO does (without a hop to the shard it maps to).
        if owns(target) ? processes[target] == nil : !directory.contains(target) { return }
        deliver(Envelope(target: target, from: origin.process, owner: origin.process, tags: message.tags,
                         data: message.data, id: Self.emittedID(origin), origin: origin))
    }

    static func emittedID(_ origin: MessageOrigin) -> String {
        Identifiers.derive("message", origin.process, String(origin.slot), String(origin.index))
    }
}

/// A message a turn evaluated: what its ledger records are made of.
struct EvaluatedMessage {
    var pending: Pending
    var result: MessageResult
    var snapshot: SnapshotRecord?
}

/// Which shard runs a process: FNV-1a of its id, modulo the shard count. Fixed for
/// a node's life; a process never learns where it runs (location transparency).
struct ShardMap: Sendable {
    let count: Int

    func index(of process: String) -> Int {
        guard count > 1 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in process.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int(hash % UInt64(count))
    }
}
