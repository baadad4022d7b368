import EventLoop
import Foundation
import Ledger

extension Shard {
    /// Creates the runtime of a process (not yet in its log) and its cron timer.
    @discardableResult
    func makeRuntime(_ record: ProcessRecord, source: String) throws -> ProcessRuntime {
        let process = try AOProcess(identity: ProcessIdentity(record), moduleSource: source,
                                    limits: configuration.limits)
        let runtime = ProcessRuntime(record: record, process: process, lastSlot: -1,
                                     lastHash: HashChain.genesis(of: record))
        processes[record.id] = runtime
        directory.insert(record.id)
        startCron(runtime)
        return runtime
    }

    /// A process spawned from outside (`POST /spawn`, `starlane spawn`).
    /// The id of a process spawned from outside (the node routes on it).
    static func spawnID(source: String, owner: String, nonce: String) -> String {
        Identifiers.derive("spawn", owner, Identifiers.module(source: source), nonce)
    }

    func spawn(source: String, owner: String, tags: [Tag], data: String, nonce: String, reply: @escaping PushReply) {
        let moduleID = Identifiers.module(source: source)
        let id = Self.spawnID(source: source, owner: owner, nonce: nonce)
        guard processes[id] == nil else {
            reply(.failure(.duplicate("process \(id) exists already")))
            return
        }
        var spawnTags = tags.filter { $0.name != "Module" && $0.name != "Type" }
        spawnTags.insert(contentsOf: [Tag("Type", "Process"), Tag("Module", moduleID)], at: 0)
        let record = ProcessRecord(id: id, moduleID: moduleID, owner: owner, tags: spawnTags,
                                   parent: nil, createdAt: configuration.clock())
        do {
            let runtime = try makeRuntime(record, source: source)
            modules[moduleID] = source
            runtime.preamble = [.module(ModuleRecord(id: moduleID, source: source)), .process(record)]
        } catch {
            reply(.failure(.invalidRequest("cannot create the process: \(error)")))
            return
        }
        deliver(Envelope(target: id, from: owner, owner: owner, tags: spawnTags, data: data, id: id, reply: reply))
    }

    /// A process spawned by a process: the spawn is slot 0 of the child, and the
    /// parent hears `Spawned` (aos waits on it with the spawn's Reference).
    func spawnChild(_ spawn: OutboundMessage, parent: String, origin: MessageOrigin,
                    deliverSpawn: Bool = true, deliverNotice: Bool = true) {
        guard let parentRuntime = processes[parent] else { return }
        let moduleID = spawn.tags[tag: "Module"] ?? parentRuntime.record.moduleID
        let childID = Identifiers.derive("process", parent, String(origin.slot), String(origin.index))
        let noticeOrigin = MessageOrigin(process: origin.process, slot: origin.slot, index: origin.index + 1)
        var notice = [Tag("Action", "Spawned"), Tag("Process", childID)]
        if let reference = spawn.tags[tag: "Reference"] {
            notice += [Tag("Reference", reference), Tag("X-Reference", reference)]
        }
        if deliverSpawn {
            guard let source = moduleSource(moduleID) else {
                notice = [Tag("Action", "Spawn-Error"), Tag("Error", "unknown module \(moduleID)")]
                    + notice.filter { $0.name.hasSuffix("Reference") }
                deliver(Envelope(target: parent, from: parent, owner: parent, tags: notice,
                                 id: Self.emittedID(noticeOrigin), origin: noticeOrigin))
                return
            }
            var tags = spawn.tags.filter { $0.name != "Type" }
            tags.insert(Tag("Type", "Process"), at: 0)
            if !tags.contains(where: { $0.name == "Module" }) { tags.append(Tag("Module", moduleID)) }
            let record = ProcessRecord(id: childID, moduleID: moduleID, owner: parent,
                                       tags: tags, parent: parent,
                                       createdAt: configuration.clock())
            let data = spawn.data
            // Known from now on: the parent may message the child as soon as it hears
            // `Spawned`, before the child's shard has made it.
            directory.insert(childID)
            // The child runs on the shard its id maps to, which may be another loop.
            onOwner(of: childID) { shard in
                if shard.processes[childID] == nil {
                    guard let runtime = try? shard.makeRuntime(record, source: source) else { return }
                    runtime.preamble = [.process(record)]
                }
                let childTags = shard.processes[childID]!.record.tags
                shard.deliver(Envelope(target: childID, from: parent, owner: parent, tags: childTags,
                                       data: data, id: childID, origin: origin))
            }
        }
        if deliverNotice {
            deliver(Envelope(target: parent, from: parent, owner: parent, tags: notice,
                             id: Self.emittedID(noticeOrigin), origin: noticeOrigin))
        }
    }

    func moduleSource(_ id: String) -> String? {
        if let source = modules[id] { return source }
        guard let record = try? ledger.module(id) else { return nil }
        modules[id] = record.source
        return record.source
    }

    /// Stores a module so processes can spawn it by id.
    func storeModule(_ source: String, reply: @escaping (Result<String, NodeError>) -> Void) {
        let id = Identifiers.module(source: source)
        modules[id] = source
        submit(LedgerBatch([.module(ModuleRecord(id: id, source: source))])) { reply(.success(id)) }
    }

    // MARK: - Cron

    func startCron(_ runtime: ProcessRuntime) {
        guard let interval = runtime.record.tags.first(where: { $0.name == "Cron-Interval" }),
              let schedule = CronSchedule(interval.value) else { return }
        let timer = EventLoop.Timer(loop: loop)
        let tags = CronSchedule.tickTags(spawnTags: runtime.record.tags)
        let id = runtime.id
        let period = Duration.milliseconds(schedule.milliseconds)
        timer.start(after: period, repeating: period) { [unowned self] _ in
            guard let runtime = self.processes[id], runtime.mailbox.count < self.configuration.mailboxCapacity else { return }
            self.deliver(Envelope(target: id, from: id, owner: id, tags: tags, cron: true))
        }
        runtime.cronTimer = timer
    }
}
