@testable import Cluster
import LuaVM
import Testing

/// A process boots from bytecode the host compiles once (the eager modules and the boot
/// chunk): the heap must be exactly the one the text would give.
@Suite struct PreludeBootTests {
    @Test func bootFromBytecodeGivesTheHeapOfBootFromText() throws {
        let fromBytes = try LuaState()
        try Prelude.install(in: fromBytes)
        let fromText = try LuaState()
        for module in Prelude.modules where Prelude.eagerModules.contains(module.name) {
            try fromText.preload(name: module.name, source: module.source)
        }
        try fromText.exec(Prelude.bootChunk, chunkName: "=prelude")
        #expect(try fromBytes.persist() == fromText.persist())
    }

    /// The libraries' texts are the program's, not every heap's: a fresh process holds
    /// none of them, and one loads the text (the trimmed module source) on first require,
    /// also after its heap went through a snapshot.
    @Test func libraryTextsStayOutOfTheHeapUntilRequired() throws {
        let state = try LuaState()
        try Prelude.install(in: state)
        let bint = try #require(Prelude.modules.first { $0.name == ".bint" })
        let text = LuaSourceTrimmer.trimmed(bint.source)
        #expect(try state.exec("return require('starlane.native').preludeLibrary('.bint')") == text)
        #expect(try state.exec("return tostring(require('starlane.native').preludeLibrary('.nothing'))") == "nil")
        let before = state.memoryUsed
        #expect(before < 160_000, "a fresh heap holds \(before) bytes")
        let restored = try LuaState.restore(state.persist())
        #expect(try restored.exec("return tostring(require('.bint')(256)(7))") == "7")
        #expect(restored.memoryUsed > before + text.utf8.count / 4, "the library is in the heap once required")
    }

    @Test func installLeavesNoBootChunkBehind() throws {
        let state = try LuaState()
        try Prelude.install(in: state)
        #expect(try state.exec("return tostring(package.preload['=prelude'])") == "nil")
        #expect(try state.exec("return type(_STARLANE.handle)") == "function")
    }

}
