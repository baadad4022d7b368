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

    @Test func installLeavesNoBootChunkBehind() throws {
        let state = try LuaState()
        try Prelude.install(in: state)
        #expect(try state.exec("return tostring(package.preload['=prelude'])") == "nil")
        #expect(try state.exec("return type(_STARLANE.handle)") == "function")
    }

}
