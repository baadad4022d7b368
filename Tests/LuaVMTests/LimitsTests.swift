import Testing
@testable import LuaVM

/// The instruction budget and the memory cap: each fails only the call that
/// exceeded it, and the state goes on working.
@Suite struct LimitsTests {
    @Test func anEndlessLoopStopsAtTheBudgetAndTheStateLivesOn() throws {
        let lua = try LuaState(limits: .init(memoryBytes: 64 << 20, instructionsPerCall: 1_000_000))
        let error = #expect(throws: LuaError.self) { try lua.exec("while true do end") }
        #expect(error?.kind == .instructionBudget)
        #expect(error?.message.contains("1000000 instructions") == true)
        #expect(try lua.exec("return 1 + 1") == "2")
    }

    @Test func pcallCannotSwallowTheBudget() throws {
        let lua = try LuaState(limits: .init(memoryBytes: 64 << 20, instructionsPerCall: 1_000_000))
        let error = #expect(throws: LuaError.self) {
            try lua.exec("while true do pcall(function() while true do end end) end")
        }
        #expect(error?.kind == .instructionBudget)
        let viaXpcall = #expect(throws: LuaError.self) {
            try lua.exec("while true do xpcall(function() while true do end end, function(e) return e end) end")
        }
        #expect(viaXpcall?.kind == .instructionBudget)
        let viaCoroutine = #expect(throws: LuaError.self) {
            try lua.exec("""
                while true do
                  coroutine.resume(coroutine.create(function() while true do end end))
                end
                """)
        }
        #expect(viaCoroutine?.kind == .instructionBudget)
        #expect(try lua.exec("return 'alive'") == "alive")
    }

    @Test func theBudgetIsPerCall() throws {
        let lua = try LuaState(limits: .init(memoryBytes: 64 << 20, instructionsPerCall: 2_000_000))
        // Each call runs about 400k instructions: fine alone, many times over in total.
        for _ in 0..<20 {
            #expect(try lua.exec("local n = 0 for i = 1, 100000 do n = n + i end return n") == "5000050000")
        }
        #expect(lua.lastCallInstructions > 100_000)
    }

    @Test func aMemoryBombStopsAtTheCapAndTheStateLivesOn() throws {
        let lua = try LuaState(limits: .init(memoryBytes: 32 << 20, instructionsPerCall: 500_000_000))
        let error = #expect(throws: LuaError.self) {
            try lua.exec("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 100) .. i end")
        }
        #expect(error?.kind == .memoryLimit)
        #expect(lua.memoryUsed <= 32 << 20)
        #expect(try lua.exec("return #string.rep('y', 1000)") == "1000")
    }

    @Test func pcallCannotSwallowTheMemoryCap() throws {
        let lua = try LuaState(limits: .init(memoryBytes: 16 << 20, instructionsPerCall: 500_000_000))
        let error = #expect(throws: LuaError.self) {
            try lua.exec("""
                local ok = pcall(function() return string.rep('x', 64 * 1024 * 1024) end)
                return 'swallowed'
                """)
        }
        #expect(error?.kind == .memoryLimit)
    }

    @Test func aStateTooSmallForTheLibrariesIsRefused() {
        let error = #expect(throws: LuaError.self) { try LuaState(limits: .init(memoryBytes: 4096, instructionsPerCall: 0)) }
        #expect(error?.kind == .creation)
    }
}
