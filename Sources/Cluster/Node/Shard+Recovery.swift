import Foundation
import Ledger

/// What recovery did, for logs and tests.
public struct RecoveryReport: Equatable, Sendable {
    public var processes = 0
    public var replayed = 0
    public var fromSnapshots = 0
    public var redelivered = 0
}

extension Shard {
    /// Slots before a process's snapshot whose stored results are re-checked for
    /// unrouted output: a crash can fall between a commit and the routing after it.
    static let recheckWindow: Int64 = 256

    /// Rebuilds this shard's processes from their latest snapshots plus the tails
    /// of their logs, and keeps the output those slots emitted for
    /// `redeliverPending`, which runs once every shard is loaded.
    func load() throws -> RecoveryReport {
        var report = RecoveryReport()
        var emitted: [(MessageOrigin, OutboundMessage, isSpawn: Bool)] = []
        for record in try ledger.processes() where owns(record.id) {
            guard let source = moduleSource(record.moduleID) else {
                throw NodeError.unknownModule(record.moduleID)
            }
            let head = try ledger.chainHead(of: record.id)
            let snapshot = try ledger.latestSnapshot(of: record.id)
            let process: AOProcess
            if let snapshot {
                process = try AOProcess(identity: ProcessIdentity(record), moduleSource: source,
                                        snapshot: [UInt8](snapshot.bytes), nextSlot: snapshot.slot + 1,
                                        limits: configuration.limits)
                report.fromSnapshots += 1
            } else {
                process = try AOProcess(identity: ProcessIdentity(record), moduleSource: source,
                                        limits: configuration.limits)
            }
            let runtime = ProcessRuntime(record: record, process: process, lastSlot: head?.slot ?? -1,
                                         lastHash: head?.hashChain ?? HashChain.genesis(of: record))
            processes[record.id] = runtime
            let first = process.nextSlot
            if let head, head.slot >= first {
                try ledger.forEachEntry(of: record.id, slots: first...head.slot) { entry in
                    let result = process.handle(Message(entry.assignment))
                    runtime.lastTimestamp = entry.assignment.timestamp
                    emitted += Self.outputs(of: result, process: record.id, slot: entry.assignment.slot)
                    report.replayed += 1
                    return true
                }
            }
            let recheck = max(0, first - Self.recheckWindow)
            if first > recheck {
                for stored in try ledger.results(of: record.id, slots: recheck...(first - 1)) {
                    let result = MessageResult(messages: ResultJSON.decode(stored.messages),
                                               spawns: ResultJSON.decode(stored.spawns), error: stored.error)
                    emitted += Self.outputs(of: result, process: record.id, slot: stored.slot)
                }
            }
            report.processes += 1
        }
        for runtime in processes.values { startCron(runtime) }
        pendingRedelivery = emitted
        return report
    }

    /// Delivers exactly once the output that committed slots emitted but that never
    /// reached its target (the ledger's unique origin index decides). Returns how many.
    func redeliverPending() throws -> Int {
        defer { pendingRedelivery = [] }
        return try redeliver(pendingRedelivery)
    }

    /// Single-shard recovery: load, then redeliver.
    func recover() throws -> RecoveryReport {
        var report = try load()
        report.redelivered = try redeliverPending()
        return report
    }

    /// The outbox of a slot with the origins `route` gives it.
    static func outputs(of result: MessageResult, process: String, slot: Int64)
        -> [(MessageOrigin, OutboundMessage, isSpawn: Bool)] {
        guard result.error == nil else { return [] }
        var out: [(MessageOrigin, OutboundMessage, isSpawn: Bool)] = []
        for (index, message) in result.messages.enumerated() {
            out.append((MessageOrigin(process: process, slot: slot, index: Int64(index)), message, false))
        }
        for (i, spawn) in result.spawns.enumerated() {
            let index = Int64(result.messages.count + 2 * i)
            out.append((MessageOrigin(process: process, slot: slot, index: index), spawn, true))
        }
        return out
    }

    private func redeliver(_ emitted: [(MessageOrigin, OutboundMessage, isSpawn: Bool)]) throws -> Int {
        var missing = Set(try ledger.unassigned(emitted.map(\.0)))
        let notices = emitted.filter(\.isSpawn).map {
            MessageOrigin(process: $0.0.process, slot: $0.0.slot, index: $0.0.index + 1)
        }
        missing.formUnion(try ledger.unassigned(notices))
        var count = 0
        for (origin, message, isSpawn) in emitted {
            if isSpawn {
                let notice = MessageOrigin(process: origin.process, slot: origin.slot, index: origin.index + 1)
                let spawn = missing.contains(origin), tell = missing.contains(notice)
                guard spawn || tell else { continue }
                spawnChild(message, parent: origin.process, origin: origin, deliverSpawn: spawn, deliverNotice: tell)
                count += (spawn ? 1 : 0) + (tell ? 1 : 0)
            } else if missing.contains(origin) {
                deliverEmitted(message, origin: origin)
                count += 1
            }
        }
        return count
    }
}
