import Foundation
import Ledger

/// What recovery did, for logs and tests.
public struct RecoveryReport: Equatable, Sendable {
    public var processes = 0
    public var fromSnapshots = 0
    public var redelivered = 0
}

extension Shard {
    /// Slots at the end of each log whose output is re-checked on restart. Messages
    /// leave before their commit, so a crash loses the entries of messages still in
    /// flight (2,048 writes per shard) or waiting in a mailbox (`mailboxCapacity`);
    /// a sender runs on while they wait, so the window is twice that, plus the flight.
    var recheckWindow: Int64 { Int64(max(4_096, 2 * configuration.mailboxCapacity + 4_096)) }

    /// Registers this shard's processes from the log without running any of them:
    /// each starts hibernating at its head and wakes (snapshot + replay of the tail)
    /// on first use. Keeps the output their last slots emitted for
    /// `redeliverPending`, which runs once every shard is loaded.
    func load() throws -> RecoveryReport {
        var report = RecoveryReport()
        var emitted: [(MessageOrigin, OutboundMessage, isSpawn: Bool)] = []
        for recovered in try ledger.recoveryHeads() where owns(recovered.process.id) {
            let record = recovered.process
            guard let source = moduleSource(record.moduleID) else {
                throw NodeError.unknownModule(record.moduleID)
            }
            let lastSlot = recovered.head?.slot ?? -1
            let process = AOProcess(hibernatingAt: lastSlot + 1, identity: ProcessIdentity(record),
                                    moduleSource: source, limits: configuration.limits)
            let runtime = ProcessRuntime(record: record, process: process, lastSlot: lastSlot,
                                         lastHash: recovered.head?.hashChain ?? HashChain.genesis(of: record))
            runtime.lastTimestamp = recovered.timestamp
            runtime.durableSnapshotSlot = recovered.snapshotSlot ?? -1
            processes[record.id] = runtime
            directory.insert(record.id)
            if recovered.snapshotSlot != nil { report.fromSnapshots += 1 }
            if lastSlot >= 0 {
                let window = max(0, lastSlot - recheckWindow + 1)...lastSlot
                for slot in try ledger.slotsWithUnassignedOutput(of: record.id, slots: window) {
                    for stored in try ledger.results(of: record.id, slots: slot...slot) {
                        let result = MessageResult(messages: ResultJSON.decode(stored.messages),
                                                   spawns: ResultJSON.decode(stored.spawns), error: stored.error)
                        emitted += Self.outputs(of: result, process: record.id, slot: stored.slot)
                    }
                }
            }
            report.processes += 1
        }
        for runtime in processes.values { startCron(runtime) }
        startHibernation()
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
