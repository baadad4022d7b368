import Foundation
import LuaVM

/// How a node runs its processes.
public struct NodeConfiguration: Sendable {
    /// The SQLite file of the log.
    public var databasePath: String
    /// Limits of every process.
    public var limits: LuaLimits = .default
    /// Messages a process's mailbox holds before pushes to it are refused.
    public var mailboxCapacity = 10_000
    /// Messages one process runs per turn before the next process gets the loop.
    public var quantum = 32
    /// A durable snapshot of a process every this many slots (0: never).
    public var snapshotEvery: Int64 = 1_000
    /// ... or sooner, once the slots since the last snapshot took this long to evaluate
    /// (what a restart or a wake would spend replaying them). Needs `snapshotEvery` > 0.
    public var snapshotAfterEvaluating: Duration = .milliseconds(100)
    /// Loops (threads) running processes; a process's shard is fixed by its id.
    public var shards = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// A process idle this long (between one and two such periods) leaves memory:
    /// its heap is dropped and rebuilt from its log on the next message. nil: never.
    /// Needs the log (`durable`).
    public var hibernateAfter: Duration? = .seconds(30)
    /// How long a shard's loop keeps polling (without sleeping) after running
    /// processes, so a message from another shard is picked up at once. Costs that
    /// much CPU after each burst of work; zero turns it off.
    public var spinAfterWork: Duration = .microseconds(200)
    /// False runs without the log (benchmark baseline): entries are neither built nor
    /// written, no snapshots are taken, output leaves at once, and nothing survives a
    /// restart.
    public var durable = true
    /// The clock that stamps assignments (ms since 1970). Injected for tests.
    public var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    /// Told of every slot once it is durable, in slot order per process, on the shard's
    /// thread: it must hand the work elsewhere and return at once (the gateway's streams).
    public var onCommit: (@Sendable ([CommittedSlot]) -> Void)?
    /// Told of every evaluated message (process, slot), on the shard's thread, before
    /// it is durable: for benchmarks that time messages. It must return at once.
    public var onEvaluate: (@Sendable (String, Int64) -> Void)?
    /// When set, told of the CPU time (seconds of the shard thread's clock) each message's
    /// evaluation took, with its process and Action, on the shard's thread: for benchmarks
    /// that split a workload by kind of message. It costs two clock reads per message.
    public var onEvaluationCPU: (@Sendable (_ process: String, _ action: String?, _ seconds: Double) -> Void)?

    public init(databasePath: String) {
        self.databasePath = databasePath
    }
}

/// Why the node refused or failed a request.
public enum NodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownProcess(String)
    case unknownModule(String)
    /// The target's mailbox is at its bound: try again later.
    case mailboxFull(process: String, capacity: Int)
    case invalidRequest(String)
    /// The message or process exists already (a replayed request): it changed nothing.
    case duplicate(String)
    case ledger(String)
    case stopped

    public var description: String {
        switch self {
        case .unknownProcess(let id): "unknown process \(id)"
        case .unknownModule(let id): "unknown module \(id)"
        case .mailboxFull(let id, let capacity): "mailbox of \(id) is full (\(capacity) messages); retry later"
        case .invalidRequest(let why): "invalid request: \(why)"
        case .duplicate(let what): "\(what) (a replay changes nothing)"
        case .ledger(let why): "ledger failure: \(why)"
        case .stopped: "the node is stopping"
        }
    }
}

/// What a durable push answers: the message's id and slot and its result.
public struct PushReceipt: Equatable, Sendable {
    public var process: String
    public var id: String
    public var slot: Int64
    public var result: MessageResult
}
