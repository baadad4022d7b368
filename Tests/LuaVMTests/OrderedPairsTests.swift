import Testing
@testable import LuaVM

/// `pairs` iterates in one canonical order in every state, whatever the hash seed.
@Suite struct OrderedPairsTests {
    @Test func orderIsNumbersThenStringsThenBooleans() throws {
        let lua = try LuaState()
        let order = try lua.exec("""
            local t = { b = 1, a = 2, [10] = 3, [2] = 4, [1.5] = 5, [true] = 6, [false] = 7, [-3] = 8 }
            local out = {}
            for k in pairs(t) do out[#out + 1] = tostring(k) end
            return table.concat(out, ' ')
            """)
        #expect(order == "-3 1.5 2 10 a b false true")
    }

    @Test func twoStatesIterateAlike() throws {
        let script = """
            local t = {}
            for i = 1, 200 do t['key' .. (i * 7919 % 1000)] = i end
            local out = {}
            for k, v in pairs(t) do out[#out + 1] = k .. '=' .. v end
            return table.concat(out, ',')
            """
        let first = try LuaState().exec(script)
        for _ in 0..<5 {
            #expect(try LuaState().exec(script) == first)
        }
    }

    @Test func removingEntriesDuringTheLoopIsSafe() throws {
        let lua = try LuaState()
        let result = try lua.exec("""
            local t = { a = 1, b = 2, c = 3, d = 4 }
            local seen = {}
            for k in pairs(t) do seen[#seen + 1] = k; t.c = nil end
            return table.concat(seen)
            """)
        #expect(result == "abd")
    }

    @Test func pairsMetamethodIsHonoured() throws {
        let lua = try LuaState()
        let result = try lua.exec("""
            local t = setmetatable({}, { __pairs = function(t) return function(_, k) if not k then return 1, 'x' end end, t, nil end })
            for k, v in pairs(t) do return v end
            """)
        #expect(result == "x")
    }
}
