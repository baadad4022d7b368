import Foundation
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
/// `snapshotInterval` (256) messages; a failure replays at most that many.
public final class AOProcess {
    public let identity: ProcessIdentity
    public let limits: LuaLimits
    /// Messages between rollback snapshots.
    public let snapshotInterval: Int

    private var state: LuaState
    private var snapshot: [UInt8]
    private var sinceSnapshot: [Message] = []
    /// The module's Lua source, run as boot code on the spawn message (slot 0).
    public let moduleSource: String
    private let envJSON: String
    private let spawnEnvJSON: String
    /// The next slot this process expects.
    public private(set) var nextSlot: Int64 = 0

    /// Creates the process with the prelude loaded, before its spawn message
    /// (slot 0), which the caller delivers with `handle` like any other.
    public init(identity: ProcessIdentity, moduleSource: String, limits: LuaLimits = .default,
                snapshotInterval: Int = 256) throws {
        self.identity = identity
        self.moduleSource = moduleSource
        self.limits = limits
        self.snapshotInterval = max(1, snapshotInterval)
        state = try LuaState(limits: limits)
        try Prelude.install(in: state)
        snapshot = try state.persist()
        envJSON = try Self.environmentJSON(identity, moduleSource: nil)
        spawnEnvJSON = try Self.environmentJSON(identity, moduleSource: moduleSource)
    }

    /// Recreates a process from a `persist()` snapshot taken after `slot - 1`
    /// messages: it continues at `slot` exactly as the original would.
    public init(identity: ProcessIdentity, moduleSource: String, snapshot: [UInt8], nextSlot: Int64,
                limits: LuaLimits = .default, snapshotInterval: Int = 256) throws {
        self.identity = identity
        self.moduleSource = moduleSource
        self.limits = limits
        self.snapshotInterval = max(1, snapshotInterval)
        state = try LuaState.restore(snapshot, limits: limits)
        self.snapshot = snapshot
        self.nextSlot = nextSlot
        envJSON = try Self.environmentJSON(identity, moduleSource: nil)
        spawnEnvJSON = try Self.environmentJSON(identity, moduleSource: moduleSource)
    }

    /// Bytes the process's heap holds now.
    public var memoryUsed: Int { state.memoryUsed }

    /// Handles the next message. Its slot must be `nextSlot`.
    public func handle(_ message: Message) -> MessageResult {
        precondition(message.slot == nextSlot, "slot \(message.slot) delivered, \(nextSlot) expected")
        nextSlot += 1
        let result = run(message)
        if result.error == nil {
            sinceSnapshot.append(message)
            if sinceSnapshot.count >= snapshotInterval { takeSnapshot() }
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
                state = try LuaState.restore(bytes, limits: limits)
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
        snapshot = bytes
        sinceSnapshot.removeAll(keepingCapacity: true)
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

    private func run(_ message: Message) -> MessageResult {
        do {
            state.setTime(message.timestamp)
            try state.seedRandom(Self.seed(identity.id), message.slot)
            let msgJSON = MessageJSON.encode(message)
            let json = try state.callJSON("_STARLANE.handle", arguments: "[\(msgJSON),\(message.slot == 0 ? spawnEnvJSON : envJSON)]")
            return try MessageJSON.decodeResult(json)
        } catch let error as LuaError {
            return .failure(error.message)
        } catch {
            return .failure("the prelude returned a malformed result: \(error)")
        }
    }

    private func takeSnapshot() {
        // A pending Receive keeps a suspended coroutine, which persist refuses;
        // then the replay list simply grows until the next snapshot succeeds.
        guard let bytes = try? state.persist() else { return }
        snapshot = bytes
        sinceSnapshot.removeAll(keepingCapacity: true)
    }

    private func rollBack() {
        do {
            let restored = try LuaState.restore(snapshot, limits: limits)
            let replayed = sinceSnapshot
            state = restored
            for message in replayed {
                let result = run(message)
                precondition(result.error == nil, "replay diverged at slot \(message.slot): \(result.error ?? "")")
            }
        } catch {
            preconditionFailure("cannot restore the process snapshot: \(error)")
        }
    }

    // MARK: - Encoding

    private struct Environment: Encodable {
        struct ProcessInfo: Encodable {
            let Id: String
            let Owner: String
            let Tags: [Tag]
        }
        struct ModuleInfo: Encodable {
            let Id: String
            let Source: String?
        }
        let Process: ProcessInfo
        let Module: ModuleInfo
    }

    /// The env argument of handle(); only the spawn message's carries the source.
    private static func environmentJSON(_ identity: ProcessIdentity, moduleSource: String?) throws -> String {
        let env = Environment(
            Process: .init(Id: identity.id, Owner: identity.owner, Tags: identity.tags),
            Module: .init(Id: identity.moduleID, Source: moduleSource))
        // Once per process, on whichever shard creates it: a local encoder, not a
        // shared one across shard threads.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(env), as: UTF8.self)
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
