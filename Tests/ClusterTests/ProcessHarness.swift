@testable import Cluster
import LuaVM

/// Swift Testing also has a `Tag`; in these tests a tag is always an AO tag.
typealias Tag = Cluster.Tag

/// A process fed by hand in tests: boots a module, then sends messages with
/// consecutive slots and a clock that advances 1 s per message.
final class ProcessHarness {
    static let owner = Identifiers.derive("test", "owner")
    static let stranger = Identifiers.derive("test", "stranger")

    let process: AOProcess
    let boot: MessageResult
    private var clock: Int64 = 1_700_000_000_000

    init(_ module: String, id: String = Identifiers.derive("test", "process"),
         limits: LuaLimits = .default, snapshotInterval: Int = 64) throws {
        let moduleID = Identifiers.module(source: module)
        let identity = ProcessIdentity(
            id: id, owner: Self.owner, moduleID: moduleID,
            tags: [Tag("Type", "Process"), Tag("Module", moduleID), Tag("Name", "test")])
        process = try AOProcess(identity: identity, moduleSource: module, limits: limits,
                                snapshotInterval: snapshotInterval)
        boot = process.handle(Message(id: id, from: Self.owner, target: id, tags: identity.tags,
                                      timestamp: clock, slot: 0))
    }

    @discardableResult
    func send(_ action: String? = nil, from: String = ProcessHarness.owner, data: String = "",
              tags: [Tag] = []) -> MessageResult {
        clock += 1000
        let slot = process.nextSlot
        var allTags = tags
        if let action { allTags.insert(Tag("Action", action), at: 0) }
        let message = Message(id: Identifiers.derive("test-message", process.identity.id, String(slot)),
                              from: from, target: process.identity.id, tags: allTags, data: data,
                              timestamp: clock, slot: slot)
        return process.handle(message)
    }

    func eval(_ code: String, from: String = ProcessHarness.owner) -> MessageResult {
        send("Eval", from: from, data: code)
    }

    /// A global's value as Lua's tostring sees it.
    func global(_ expression: String) throws -> String? {
        try process.inspect("return tostring(\(expression))")
    }
}
