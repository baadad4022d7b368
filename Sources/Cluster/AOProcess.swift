import Foundation
import Ledger
import LuaVM

/// Who a process is: fixed at spawn, handed to the prelude with every message.
public struct ProcessIdentity: Codable, Equatable, Sendable {
    public var id: String
    public var owner: String
    public var moduleID: String
    /// The spawn message's tags (Name, Cron-Interval, Authority, On-Boot, ...).
    public var tags: [Tag]

    public init(id: String, owner: String, moduleID: String, tags: [Tag]) {
        self.id = id
        self.owner = owner
        self.moduleID = moduleID
        self.tags = tags
    }
}

/// One AO process: a sandboxed Lua state running the prelude, fed one message at
/// a time in slot order.
///
/// A message that fails leaves the process exactly as it was (AO semantics).
/// Lua cannot undo writes, so the process keeps a persisted snapshot plus the
/// messages handled since; on failure it restores the snapshot and replays them.
/// Failures are rare, so the common path pays only for a snapshot every
/// `snapshotInterval` (1,000) messages, or sooner once the messages kept for replay
/// hold `retainedDataLimit` bytes of Data (a thousand messages of 100 KB would hold
/// 100 MB); a failure replays at most that many. The node's durable snapshots
/// (`checkpoint`) reset the same base, so at the node's default period one persist
/// serves both.
public final class AOProcess {
    public let identity: ProcessIdentity
    public let limits: LuaLimits
    /// Messages between rollback snapshots.
    public let snapshotInterval: Int

    /// What a failure restores before replaying `sinceSnapshot`.
    private enum Base {
        /// The prelude freshly installed: rebuilt rather than kept as bytes (a spawn
        /// costs no persist, and a young process holds no copy of its heap).
        case fresh
        case bytes([UInt8])
    }

    /// The Lua heap; nil while hibernating (see `hibernate`).
    private var live: LuaState?
    private var base = Base.fresh
    private var sinceSnapshot: [Message] = []
    /// Bytes of Data held by `sinceSnapshot`.
    public private(set) var retainedData = 0
    /// A rollback snapshot is taken once the messages kept for replay hold this much Data.
    /// (At 1 MB, a game player's 1.6 KB updates bring one every ~600 messages, about as
    /// often as the node's own durable snapshots.)
    public static let retainedDataLimit = 1 << 20
    /// After a rollback snapshot could not be taken (a handler parked in `Receive`), the
    /// next try waits until this many messages are kept: not one persist per message.
    private var snapshotRetryAt = 0
    static let snapshotRetryMessages = 64
    /// The module's Lua source, run as boot code on the spawn message (slot 0).
    public let moduleSource: String
    private let envJSON: String
    /// The next slot this process expects.
    public private(set) var nextSlot: Int64 = 0

    /// Messages run first without counting instructions (docs/RUNTIME.md, "Counting
    /// instructions"); once one read `os.clock`, every later message counts from the start.
    public private(set) var countsInstructions = false
    /// Messages that had to run again counting (stopped by the watchdog, or `os.clock`).
    public private(set) var countedReruns = 0
    /// After a rerun the next messages count from the start: a process whose messages
    /// keep outliving their allowance pays the count hook, not a rollback each time.
    private var countedAhead = 0
    static let countedAfterRerun = 64

    /// A process known to be at `nextSlot` whose heap is not in memory: `wake` must
    /// rebuild it before anything else (a restart loads processes this way, lazily).
    /// The other initialisers start here and then give it a heap.
    public init(hibernatingAt nextSlot: Int64, identity: ProcessIdentity, moduleSource: String,
                limits: LuaLimits = .default, snapshotInterval: Int = 1_000) {
        self.identity = identity
        self.moduleSource = moduleSource
        self.limits = limits
        self.snapshotInterval = max(1, snapshotInterval)
        envJSON = Self.environmentJSON(identity)
        self.nextSlot = nextSlot
    }

    /// Creates the process with the prelude loaded, before its spawn message
    /// (slot 0), which the caller delivers with `handle` like any other.
    public convenience init(identity: ProcessIdentity, moduleSource: String, limits: LuaLimits = .default,
                            snapshotInterval: Int = 1_000) throws {
        self.init(hibernatingAt: 0, identity: identity, moduleSource: moduleSource, limits: limits,
                  snapshotInterval: snapshotInterval)
        try wake(snapshot: nil, replaying: [])
    }

    /// Recreates a process from a `persist()` snapshot taken after `slot - 1`
    /// messages: it continues at `slot` exactly as the original would.
    public convenience init(identity: ProcessIdentity, moduleSource: String, snapshot: [UInt8], nextSlot: Int64,
                            limits: LuaLimits = .default, snapshotInterval: Int = 1_000) throws {
        self.init(hibernatingAt: nextSlot, identity: identity, moduleSource: moduleSource, limits: limits,
                  snapshotInterval: snapshotInterval)
        try wake(snapshot: snapshot, replaying: [])
    }

    /// Bytes the process's heap holds now (0 while hibernating).
    public var memoryUsed: Int { live?.memoryUsed ?? 0 }

    // MARK: - Hibernation

    /// True while the heap is out of memory.
    public var isHibernating: Bool { live == nil }

    /// Drops the heap and the rollback state. The caller keeps what `wake` needs:
    /// a durable snapshot and the logged messages after it.
    public func hibernate() {
        live = nil
        base = .fresh
        forgetReplayed(keepingCapacity: false)
    }

    /// Rebuilds the heap from `snapshot` (nil: the fresh prelude) and the messages
    /// evaluated after it, in slot order: the process is then exactly as before
    /// `hibernate`. Their results are not needed (they were when first evaluated).
    public func wake(snapshot: [UInt8]?, replaying messages: [Message]) throws {
        precondition(isHibernating, "wake of a process that is awake")
        if let snapshot {
            live = try restoreState(snapshot)
            base = .bytes(snapshot)
        } else {
            live = try freshState()
        }
        for message in messages { _ = apply(message) }
    }

    /// The heap, which must be in memory.
    private var state: LuaState {
        guard let live else { preconditionFailure("process \(identity.id) used while hibernating") }
        return live
    }

    // MARK: - Messages

    /// Handles the next message. Its slot must be `nextSlot`.
    public func handle(_ message: Message) -> MessageResult {
        precondition(message.slot == nextSlot, "slot \(message.slot) delivered, \(nextSlot) expected")
        nextSlot += 1
        return apply(message)
    }

    /// Evaluates a message and keeps its effects, or none of them if it fails.
    private func apply(_ message: Message) -> MessageResult {
        let result = run(message)
        if result.error == nil {
            sinceSnapshot.append(message)
            retainedData += message.data.utf8.count
            if sinceSnapshot.count >= snapshotInterval || retainedData >= Self.retainedDataLimit,
               sinceSnapshot.count >= snapshotRetryAt {
                takeSnapshot()
            }
        } else {
            rollBack()
        }
        return result
    }

    /// Evaluates a message as if it were the next one and then forgets it: the state,
    /// the slot counter and the rollback base are as before. Its outbox goes nowhere
    /// (the caller only reads the result). `message.slot` should be `nextSlot`.
    public func dryRun(_ message: Message) -> MessageResult {
        // One persist and one restore when the heap can be persisted; a process parked
        // in Receive cannot, and falls back to the rollback path (snapshot + replay).
        if let bytes = try? state.persist() {
            let result = run(message)
            do {
                live = try restoreState(bytes)
            } catch {
                preconditionFailure("cannot restore the state persisted a moment ago: \(error)")
            }
            return result
        }
        let result = run(message)
        rollBack()
        return result
    }

    /// The persisted heap now (deterministic bytes; see docs/PERSIST.md).
    public func persist() throws -> [UInt8] {
        try state.persist()
    }

    /// Persists the heap and makes it the rollback base as well, so a durable
    /// snapshot taken by the node costs one dump, not two.
    public func checkpoint() throws -> [UInt8] {
        let bytes = try state.persist()
        base = .bytes(bytes)
        forgetReplayed()
        return bytes
    }

    /// Runs a chunk in the process outside any message, for tests and tools.
    @discardableResult
    public func inspect(_ source: String) throws -> String? {
        try state.exec(source, chunkName: "=inspect")
    }

    /// As `inspect`, without the instruction budget: for benchmarks.
    @discardableResult
    public func inspectUnbudgeted(_ source: String) throws -> String? {
        try state.exec(source, chunkName: "=inspect", budget: 0)
    }

    // MARK: - One message

    /// Evaluates a message on the heap: uncounted first, unless this process counts.
    /// An uncounted run that must be redone has changed the heap in part, so the heap
    /// is rolled back to before the message first.
    private func run(_ message: Message) -> MessageResult {
        if countedAhead > 0 {
            countedAhead -= 1
        } else if !countsInstructions {
            if let result = evaluate(message, counted: false) { return result }
            countedReruns += 1
            if state.wantsCounting { countsInstructions = true }
            countedAhead = Self.countedAfterRerun
            rollBack()
        }
        return evaluate(message, counted: true)
            ?? .failure("the message could not run counting instructions")
    }

    /// One evaluation; nil when an uncounted one must be redone counting.
    private func evaluate(_ message: Message, counted: Bool) -> MessageResult? {
        let isSpawn = message.slot == 0
        do {
            return try state.handle(
                "_STARLANE.handle", message: MessagePacking.pack(message),
                environmentJSON: isSpawn ? envJSON : nil, moduleSource: isSpawn ? moduleSource : nil,
                seed: Self.seed(identity.id), timestamp: message.timestamp, counted: counted,
                read: MessagePacking.unpackResult)
        } catch let error as LuaError {
            return error.kind == .mustCount ? nil : .failure(error.message)
        } catch {
            return .failure("the prelude returned a malformed result: \(error)")
        }
    }

    /// A state made (or restored) for this process: its environment set.
    private static func prepared(_ state: LuaState, envJSON: String) throws -> LuaState {
        try state.setEnvironment(json: envJSON)
        return state
    }

    private func restoreState(_ bytes: [UInt8]) throws -> LuaState {
        try Self.prepared(LuaState.restore(bytes, limits: limits), envJSON: envJSON)
    }

    /// A new state with the prelude installed, as before the spawn message.
    private func freshState() throws -> LuaState {
        let state = try Self.prepared(LuaState(limits: limits), envJSON: envJSON)
        try Prelude.install(in: state)
        return state
    }

    private func takeSnapshot() {
        // A pending Receive keeps a suspended coroutine, which persist refuses;
        // then the replay list grows until a later snapshot succeeds.
        guard let bytes = try? state.persist() else {
            snapshotRetryAt = sinceSnapshot.count + Self.snapshotRetryMessages
            return
        }
        base = .bytes(bytes)
        forgetReplayed()
    }

    /// The new base covers every message kept for replay.
    private func forgetReplayed(keepingCapacity: Bool = true) {
        sinceSnapshot.removeAll(keepingCapacity: keepingCapacity)
        retainedData = 0
        snapshotRetryAt = 0
    }

    private func rollBack() {
        do {
            let restored: LuaState
            switch base {
            case .fresh: restored = try freshState()
            case .bytes(let bytes): restored = try restoreState(bytes)
            }
            let replayed = sinceSnapshot
            live = restored
            // Counted: a rollback can then never need another one.
            for message in replayed {
                let result = evaluate(message, counted: true) ?? .failure("uncounted replay")
                precondition(result.error == nil, "replay diverged at slot \(message.slot): \(result.error ?? "")")
            }
        } catch {
            preconditionFailure("cannot restore the process snapshot: \(error)")
        }
    }

    // MARK: - Encoding

    /// The env argument of handle(). The spawn message's also has the module's text as
    /// Module.Source, handed to `handle` as a string of its own: escaping a game
    /// module's ~50 KB into JSON and decoding it again was most of the JSON work of a
    /// join (docs/PERFORMANCE.md, session 6).
    /// Written by hand (once per process creation, which spawning makes hot).
    static func environmentJSON(_ identity: ProcessIdentity) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: #"{"Module":{"Id":"#.utf8)
        JSONString.append(identity.moduleID, to: &out)
        out.append(contentsOf: #"},"Process":{"Id":"#.utf8)
        JSONString.append(identity.id, to: &out)
        out.append(contentsOf: #","Owner":"#.utf8)
        JSONString.append(identity.owner, to: &out)
        out.append(contentsOf: #","Tags":"#.utf8)
        ResultJSON.appendTags(identity.tags, to: &out)
        out.append(contentsOf: "}}".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// FNV-1a of the process id: with the slot, the per-message random seed.
    static func seed(_ id: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}

@available(*, unavailable)
extension AOProcess: Sendable {}
