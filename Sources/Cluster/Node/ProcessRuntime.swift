import DequeModule
import EventLoop
import Foundation
import Ledger

/// Called on the loop thread once the message it answers for is durable.
typealias PushReply = (Result<PushReceipt, NodeError>) -> Void

/// A message on its way to a process, before it has a slot.
struct Envelope {
    var target: String
    var from: String
    var owner: String
    var tags: [Tag]
    var data: String = ""
    /// The message id; derived from the target and slot when nil.
    var id: String?
    /// Set for a message emitted by a committed slot: the exactly-once key.
    var origin: MessageOrigin?
    var cron = false
    var reply: PushReply?
}

/// A message with its slot, waiting in its target's mailbox to be evaluated.
struct Pending {
    var message: Message
    var assignment: AssignmentRecord
    var reply: PushReply?
}

/// One process as the node runs it: its Lua process, the head of its log, its
/// mailbox, and ledger writes that must precede its next entry.
final class ProcessRuntime {
    let record: ProcessRecord
    let process: AOProcess
    /// The last slot assigned (evaluated or not); -1 before the spawn message.
    var lastSlot: Int64
    var lastHash: Data
    var lastTimestamp: Int64 = 0
    var mailbox = Deque<Pending>()
    /// Messages from other processes that arrived while the mailbox was full.
    var overflow = Deque<Envelope>()
    /// Writes (module, process record) that go first in this process's next batch.
    var preamble: [LedgerWrite] = []
    /// Processes paused because their output waits in this process's overflow.
    var blockedSenders = Set<String>()
    /// True while this process's output waits for room elsewhere: it is not run.
    var isBlocked = false
    var cronTimer: EventLoop.Timer?
    var slotsSinceSnapshot: Int64 = 0
    /// Time spent evaluating since the last snapshot: what replaying them would cost.
    var evaluationSinceSnapshot = Duration.zero
    /// The slot of the newest durable snapshot (-1: none): where a wake starts.
    var durableSnapshotSlot: Int64 = -1
    /// Used since the last hibernation scan (a message, a dry run, an inspection).
    var recentlyActive = true
    /// The last slot known durable, and work waiting for a slot to become durable
    /// (a dry run must not reveal state from entries not yet in the log).
    var durableSlot: Int64
    var durableWaiters: [(slot: Int64, run: () -> Void)] = []

    init(record: ProcessRecord, process: AOProcess, lastSlot: Int64, lastHash: Data) {
        self.record = record
        self.process = process
        self.lastSlot = lastSlot
        self.lastHash = lastHash
        durableSlot = lastSlot
    }

    /// Runs `work` once everything this process has evaluated is durable.
    func whenEvaluatedIsDurable(_ work: @escaping () -> Void) {
        let evaluated = process.nextSlot - 1
        if durableSlot >= evaluated { work() } else { durableWaiters.append((evaluated, work)) }
    }

    func markDurable(_ slot: Int64) {
        durableSlot = max(durableSlot, slot)
        guard !durableWaiters.isEmpty else { return }
        let ready = durableWaiters.filter { $0.slot <= durableSlot }
        durableWaiters.removeAll { $0.slot <= durableSlot }
        for waiter in ready { waiter.run() }
    }

    var id: String { record.id }
}

extension ProcessIdentity {
    init(_ record: ProcessRecord) {
        self.init(id: record.id, owner: record.owner, moduleID: record.moduleID,
                  tags: record.tags)
    }
}

extension Message {
    /// The message a log entry delivers (the same on first run and on replay).
    init(_ a: AssignmentRecord) {
        self.init(id: a.messageID, from: a.from, owner: a.owner, target: a.process,
                  tags: a.tags, data: a.data, timestamp: a.timestamp, slot: a.slot,
                  hashChain: Identifiers.base64url(a.hashChain),
                  cron: a.tags.contains { $0.name == "Cron" && $0.value == "true" } ? true : nil)
    }
}

extension ResultRecord {
    init(process: String, slot: Int64, _ result: MessageResult) {
        self.init(process: process, slot: slot, output: result.output,
                  messages: ResultJSON.encode(result.messages), spawns: ResultJSON.encode(result.spawns),
                  error: result.error)
    }
}

extension MessageResult {
    /// A result as the ledger stores it (the inverse of `ResultRecord(process:slot:_:)`).
    public init(_ record: ResultRecord) {
        self.init(output: record.output, messages: ResultJSON.decode(record.messages),
                  spawns: ResultJSON.decode(record.spawns), error: record.error)
    }
}
