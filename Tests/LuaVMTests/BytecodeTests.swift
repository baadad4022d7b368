import LuaVM
import Testing

/// The host compiles its modules once and loads the bytecode into every state.
@Suite struct BytecodeTests {
    static let module = """
        local M = { count = 0 }
        local function bump(n) M.count = M.count + n; return M.count end
        M.bump = bump
        return M
        """

    @Test func bytecodeBehavesAsTheSource() throws {
        let bytecode = try LuaState.compile(name: ".counter", source: Self.module)
        #expect(!bytecode.isEmpty)
        let state = try LuaState()
        try state.preload(name: ".counter", bytecode: bytecode)
        #expect(try state.exec("local c = require('.counter'); c.bump(2); return c.bump(3)") == "5")
    }

    /// Snapshots must not depend on how the prelude was loaded: the persisted heap of
    /// a state loaded from bytecode is byte-for-byte the one loaded from text.
    @Test func persistIsTheSameEitherWay() throws {
        let fromText = try LuaState()
        try fromText.preload(name: ".counter", source: Self.module)
        let fromBytes = try LuaState()
        try fromBytes.preload(name: ".counter", bytecode: try LuaState.compile(name: ".counter", source: Self.module))
        for state in [fromText, fromBytes] {
            try state.exec("Counter = require('.counter'); Counter.bump(7)")
        }
        #expect(try fromText.persist() == fromBytes.persist())
    }

    @Test func aSyntaxErrorIsReportedAtCompileTime() {
        #expect(throws: LuaError.self) { try LuaState.compile(name: ".bad", source: "return (") }
    }

    @Test func processCodeStillCannotLoadBytecode() throws {
        let state = try LuaState()
        let bytecode = try LuaState.compile(name: ".counter", source: Self.module)
        let text = bytecode.map { String(format: "\\%d", $0) }.joined()
        #expect(try state.exec("local f, err = load('\(text)'); return tostring(f == nil)") == "true")
    }
}
