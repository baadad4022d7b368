import Foundation
@testable import Cluster
import LuaVM
import Testing

/// The two shortcuts of a spawn (the prelude booted in one call, the module loaded from
/// bytecode compiled once per program) must leave exactly what the long way leaves:
/// the same heap, the same results, the same errors.
@Suite struct SpawnFastPathTests {
    static let module = """
        Count = 0
        local function bump(n)
          Count = Count + n
          return Count
        end
        Handlers.add('Bump', 'Bump', function(msg) msg.reply({ Data = tostring(bump(tonumber(msg.Data))) }) end)
        """

    // MARK: - The prelude in one call

    @Test func oneCallBootGivesTheHeapOfTheStepByStepBoot() throws {
        let oneCall = try LuaState()
        try Prelude.install(in: oneCall)
        let stepByStep = try LuaState()
        try Prelude.installStepByStep(in: stepByStep)
        #expect(try oneCall.persist() == stepByStep.persist())
    }

    @Test func oneCallBootLeavesTheCollectorRunning() throws {
        let state = try LuaState()
        try Prelude.install(in: state)
        let booted = state.memoryUsed
        // 20 MB of garbage: without a running collector the heap would keep it all.
        try state.exec("for i = 1, 20000 do local t = { string.rep('x', 1000) } end", budget: 0)
        #expect(state.memoryUsed < booted + 4_000_000)
    }

    // MARK: - The module from the chunk cache

    /// A module long enough for the chunk cache, unique to the call (the cache lives as
    /// long as the program): `body`, then a comment.
    static func unique(_ body: String) -> String {
        body + "\n-- " + String(repeating: "\(UUID().uuidString) ", count: 16) + "\n"
    }

    /// A process after its spawn message (given `data`, so On-Boot can run it).
    static func spawned(_ module: String, onBoot: String? = nil) throws -> (process: AOProcess, boot: MessageResult) {
        let moduleID = Identifiers.module(source: module)
        let id = Identifiers.derive("test", "spawn-fast-path")
        var tags = [Tag("Type", "Process"), Tag("Module", moduleID)]
        if onBoot != nil { tags.append(Tag("On-Boot", "Data")) }
        let identity = ProcessIdentity(id: id, owner: ProcessHarness.owner, moduleID: moduleID, tags: tags)
        let process = try AOProcess(identity: identity, moduleSource: module)
        let boot = process.handle(Message(id: id, from: ProcessHarness.owner, target: id, tags: tags,
                                          data: onBoot ?? "", timestamp: 1_700_000_000_000, slot: 0))
        return (process, boot)
    }

    static func bump(_ process: AOProcess, by n: Int) -> MessageResult {
        let slot = process.nextSlot
        return process.handle(Message(id: Identifiers.derive("test-bump", String(slot)), from: ProcessHarness.owner,
                                      target: process.identity.id, tags: [Tag("Action", "Bump")], data: String(n),
                                      timestamp: 1_700_000_000_000 + slot, slot: slot))
    }

    @Test func aModuleFromTheCacheGivesTheHeapAndResultsOfTheText() throws {
        let module = Self.unique(Self.module)
        #expect(module.utf8.count >= ChunkCache.minimumLength)
        let hits = ChunkCache.hitsOnThisThread
        let fromText = try Self.spawned(module)
        #expect(ChunkCache.hitsOnThisThread == hits)
        #expect(ChunkCache.holds(module, chunkName: "=module"))
        let fromBytes = try Self.spawned(module)
        #expect(ChunkCache.hitsOnThisThread == hits + 1)  // the module came from bytecode
        #expect(fromText.boot.error == nil)
        #expect(fromBytes.boot == fromText.boot)
        #expect(try fromBytes.process.persist() == fromText.process.persist())
        #expect(Self.bump(fromBytes.process, by: 5) == Self.bump(fromText.process, by: 5))
        #expect(try fromBytes.process.persist() == fromText.process.persist())
    }

    /// Functions the module defines keep their debug info: an error names the chunk and line.
    @Test func aModuleThatFailsAtBootFailsAlikeWithItsLine() throws {
        let failing = Self.unique("Before = 1\nlocal x = nil\nerror('boot failed here')")
        let fromText = try Self.spawned(failing)
        let hits = ChunkCache.hitsOnThisThread
        let fromBytes = try Self.spawned(failing)
        #expect(ChunkCache.hitsOnThisThread == hits + 1)
        #expect(fromBytes.boot.error == fromText.boot.error)
        #expect(fromBytes.boot.error?.contains("module:3: boot failed here") == true)
        // A failed message changes nothing: the module's first global is gone too.
        #expect(try fromBytes.process.inspect("return tostring(Before)") == "nil")
        #expect(try fromBytes.process.persist() == fromText.process.persist())
    }

    @Test func aModuleWithASyntaxErrorFailsWithTheParsersErrorEveryTime() throws {
        let broken = Self.unique("Count = 0\nHandlers.add('x', function(msg)")
        let first = try Self.spawned(broken)
        let second = try Self.spawned(broken)
        #expect(first.boot.error != nil)
        #expect(second.boot.error == first.boot.error)
        #expect(first.boot.error?.contains("module:") == true)
        #expect(!ChunkCache.holds(broken, chunkName: "=module"))
    }

    /// What GameBundle makes: libraries as texts loaded by the module itself.
    @Test func librariesTheModuleLoadsAsTextComeFromTheCacheToo() throws {
        let library = Self.unique("local M = {}\nfunction M.answer() return 42 end\nreturn M")
        let module = Self.unique("""
            package.preload['lib'] = function(...) return assert(load([==[\(library)]==], '=lib'))(...) end
            Answer = require('lib').answer()
            """)
        let first = try Self.spawned(module, onBoot: "Evaluated = 7")
        let hits = ChunkCache.hitsOnThisThread
        let second = try Self.spawned(module, onBoot: "Evaluated = 7")
        #expect(ChunkCache.hitsOnThisThread == hits + 2)  // the module and its library
        #expect(first.boot.error == nil)
        #expect(try second.process.inspect("return tostring(Answer)") == "42")
        #expect(try second.process.inspect("return tostring(Evaluated)") == "7")
        #expect(try second.process.persist() == first.process.persist())
    }

    /// The module's text reaches the spawn message as env.Module.Source byte for byte
    /// (handed over as one string, not through JSON), and only the spawn message.
    @Test func theSpawnMessageSeesTheModuleTextExactlyAndLaterOnesDoNot() throws {
        let module = "Seen = ao.env.Module.Source -- \"quotes\" \\ é ✓ \u{0}nul\n"
        let spawned = try Self.spawned(module)
        #expect(spawned.boot.error == nil)
        #expect(try spawned.process.inspect("return tostring(Seen == ao.env.Module.Source)") == "true")
        #expect(try spawned.process.inspect("return tostring(#Seen)") == String(module.utf8.count))
        #expect(try spawned.process.inspect("return Seen:sub(-5)") == "\u{0}nul\n")
        _ = Self.bump(spawned.process, by: 1)
        #expect(try spawned.process.inspect("return tostring(ao.env.Module.Source)") == "nil")
    }
}
