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

    // MARK: - The module from bytecode

    /// A process, its module loaded through `cache` (nil: parsed from text), after its
    /// spawn message (given `data`, so On-Boot can run it).
    static func spawned(_ module: String, cache: ModuleBytecodeCache?, onBoot: String? = nil)
        throws -> (process: AOProcess, boot: MessageResult) {
        let moduleID = Identifiers.module(source: module)
        let id = Identifiers.derive("test", "spawn-fast-path")
        var tags = [Tag("Type", "Process"), Tag("Module", moduleID)]
        if onBoot != nil { tags.append(Tag("On-Boot", "Data")) }
        let identity = ProcessIdentity(id: id, owner: ProcessHarness.owner, moduleID: moduleID, tags: tags)
        let process = try AOProcess(identity: identity, moduleSource: module, moduleCache: cache)
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

    @Test func aCachedModuleGivesTheHeapAndResultsOfTheText() throws {
        let cache = ModuleBytecodeCache(maximumBytes: 1 << 20)
        let served = LoadHint.servedOnThisThread
        let fromText = try Self.spawned(Self.module, cache: nil)
        #expect(LoadHint.servedOnThisThread == served)
        let fromBytes = try Self.spawned(Self.module, cache: cache)
        #expect(LoadHint.servedOnThisThread == served + 1)  // the module came from bytecode
        #expect(cache.count == 1)
        #expect(fromText.boot.error == nil)
        #expect(fromBytes.boot == fromText.boot)
        #expect(try fromBytes.process.persist() == fromText.process.persist())
        #expect(Self.bump(fromBytes.process, by: 5) == Self.bump(fromText.process, by: 5))
        #expect(try fromBytes.process.persist() == fromText.process.persist())
    }

    @Test func theCacheServesTheSameModuleTwiceAlike() throws {
        let cache = ModuleBytecodeCache(maximumBytes: 1 << 20)
        let served = LoadHint.servedOnThisThread
        let first = try Self.spawned(Self.module, cache: cache)
        let second = try Self.spawned(Self.module, cache: cache)
        #expect(LoadHint.servedOnThisThread == served + 2)
        #expect(cache.count == 1)
        #expect(second.boot == first.boot)
        #expect(try second.process.persist() == first.process.persist())
        #expect(Self.bump(second.process, by: 2).messages.first?.data == "2")
    }

    /// Functions the module defines keep their debug info: an error names the chunk and line.
    @Test func aModuleThatFailsAtBootFailsAlikeWithItsLine() throws {
        let failing = "Before = 1\nlocal x = nil\nerror('boot failed here')\n"
        let cache = ModuleBytecodeCache(maximumBytes: 1 << 20)
        for _ in 0..<2 {
            let fromBytes = try Self.spawned(failing, cache: cache)
            let fromText = try Self.spawned(failing, cache: nil)
            #expect(fromBytes.boot.error == fromText.boot.error)
            #expect(fromBytes.boot.error?.contains("module:3: boot failed here") == true)
            // A failed message changes nothing: the module's first global is gone too.
            #expect(try fromBytes.process.inspect("return tostring(Before)") == "nil")
            #expect(try fromBytes.process.persist() == fromText.process.persist())
        }
        #expect(cache.count == 1)
    }

    @Test func aModuleWithASyntaxErrorFailsWithTheParsersError() throws {
        let broken = "Count = 0\nHandlers.add('x', function(msg)\n"
        let cache = ModuleBytecodeCache(maximumBytes: 1 << 20)
        #expect(cache.hint(moduleID: "broken", source: broken) == nil)
        for _ in 0..<2 {
            let fromBytes = try Self.spawned(broken, cache: cache)
            let fromText = try Self.spawned(broken, cache: nil)
            #expect(fromBytes.boot.error != nil)
            #expect(fromBytes.boot.error == fromText.boot.error)
            #expect(fromBytes.boot.error?.contains("module:") == true)
        }
    }

    @Test func codeLoadingOtherTextStillParsesIt() throws {
        let module = "Loaded = load('return 40 + 2', '=module')()\nSelf = load(ao.env.Module.Source, '=other') ~= nil"
        let cache = ModuleBytecodeCache(maximumBytes: 1 << 20)
        let spawned = try Self.spawned(module, cache: cache, onBoot: "Evaluated = 7")
        #expect(spawned.boot.error == nil)
        #expect(try spawned.process.inspect("return tostring(Loaded)") == "42")
        #expect(try spawned.process.inspect("return tostring(Evaluated)") == "7")
        #expect(try spawned.process.persist() == Self.spawned(module, cache: nil, onBoot: "Evaluated = 7").process.persist())
    }

    @Test func aSourceThatIsNotTheCachedOneIsNotServedItsBytecode() throws {
        let cache = ModuleBytecodeCache(maximumBytes: 1 << 20)
        #expect(cache.hint(moduleID: "same-id", source: "A = 1") != nil)
        let other = try #require(cache.hint(moduleID: "same-id", source: "A = 2"))
        #expect(other.source == "A = 2")
        #expect(other.bytecode == (try LuaState.compile(name: "=module", source: "A = 2")))
    }

    @Test func theCacheStartsOverPastItsBound() {
        let cache = ModuleBytecodeCache(maximumBytes: 600)
        for index in 0..<20 { _ = cache.hint(moduleID: "m\(index)", source: "X\(index) = \(index)") }
        #expect(cache.count >= 1)
        #expect(cache.count < 20)
    }
}
