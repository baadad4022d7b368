import Foundation
@testable import LuaVM
import Testing

/// A process's `load` of a text compiled before (by any state) under the same chunk
/// name gets that compilation's bytecode: it must be the same function as the parser
/// makes, with the same debug info, errors and environment. Each test loads texts of
/// its own (the cache lives as long as the program), and counts the hits of its own
/// thread (a state runs its calls on the caller's thread).
@Suite struct ChunkCacheTests {
    /// A library of more than `ChunkCache.minimumLength` bytes, unique to the call.
    static func library() -> String {
        var lines = ["-- library \(UUID().uuidString)", "local M = {}"]
        for i in 0..<40 { lines.append("function M.add\(i)(x) return x + \(i) end") }
        lines.append("function M.fail()\n  error('failed in the library')\nend")
        lines.append("return M")
        let text = lines.joined(separator: "\n")
        precondition(text.utf8.count >= ChunkCache.minimumLength)
        return text
    }

    /// Lua code that loads `text` under `name` (extra load arguments after them).
    static func load(_ text: String, _ name: String, _ extra: String = "") -> String {
        "load([==[\(text)]==], '\(name)'\(extra))"
    }

    @Test func aTextLoadedBeforeIsServedAndIsTheSameFunction() throws {
        let text = Self.library()
        let code = "Lib = \(Self.load(text, "=lib"))(); return tostring(Lib.add7(35))"
        let parsed = try LuaState(), served = try LuaState()
        #expect(!ChunkCache.holds(text, chunkName: "=lib"))
        let hits = ChunkCache.hitsOnThisThread
        #expect(try parsed.exec(code) == "42")
        #expect(ChunkCache.holds(text, chunkName: "=lib"))
        #expect(ChunkCache.hitsOnThisThread == hits)
        #expect(try served.exec(code) == "42")
        #expect(ChunkCache.hitsOnThisThread == hits + 1)
        // Byte for byte the same heap: prototypes, constants, debug info.
        #expect(try served.persist() == parsed.persist())
    }

    @Test func errorsNameTheChunkAndLineAlike() throws {
        let text = Self.library()
        let code = "local ok, err = pcall(\(Self.load(text, "=lib"))().fail); return err"
        let first = try LuaState().exec(code)
        let hits = ChunkCache.hitsOnThisThread
        let second = try LuaState().exec(code)
        #expect(ChunkCache.hitsOnThisThread == hits + 1)
        #expect(first == "lib:44: failed in the library")
        #expect(second == first)
    }

    @Test func theEnvironmentArgumentIsHonoured() throws {
        let text = "return x -- " + String(repeating: "padding ", count: 70)
        let state = try LuaState()
        let hits = ChunkCache.hitsOnThisThread
        let values = [
            try state.exec("x = 'global'; return \(Self.load(text, "=env"))()"),
            try state.exec("return \(Self.load(text, "=env", ", 't', { x = 'env' }"))()"),
            // An explicit nil env, as with the standard load: globals are unreachable.
            try state.exec("return tostring((pcall(\(Self.load(text, "=env", ", 't', nil")))))"),
        ]
        #expect(values == ["global", "env", "false"])
        #expect(ChunkCache.hitsOnThisThread == hits + 2)
    }

    @Test func aTextThatDoesNotCompileIsNeverKept() throws {
        let text = Self.library() + "\nfunction broken("
        let code = "local f, err = \(Self.load(text, "=broken")); return tostring(f) .. ' ' .. err"
        let first = try LuaState().exec(code)
        let second = try LuaState().exec(code)
        #expect(first?.hasPrefix("nil broken:") == true)
        #expect(second == first)
        #expect(!ChunkCache.holds(text, chunkName: "=broken"))
    }

    @Test func anotherChunkNameOrAShortTextIsParsed() throws {
        let text = Self.library()
        let state = try LuaState()
        _ = try state.exec("return \(Self.load(text, "=one"))")
        let hits = ChunkCache.hitsOnThisThread
        #expect(try state.exec("return \(Self.load(text, "=two"))().add1(1)") == "2")
        #expect(ChunkCache.hitsOnThisThread == hits)
        #expect(ChunkCache.holds(text, chunkName: "=one") && ChunkCache.holds(text, chunkName: "=two"))
        let short = "return 'short \(UUID().uuidString)'"
        _ = try state.exec("return \(Self.load(short, "=short"))()")
        _ = try state.exec("return \(Self.load(short, "=short"))()")
        #expect(ChunkCache.hitsOnThisThread == hits)
        #expect(!ChunkCache.holds(short, chunkName: "=short"))
    }

    @Test func bytecodeFromUserCodeIsStillRefused() throws {
        let state = try LuaState()
        let text = Self.library()
        _ = try state.exec("return \(Self.load(text, "=lib"))")
        // The cache loads its own bytecode; a process's load stays text only.
        let result = try state.exec("""
            local f, err = load(string.dump(function() return 1 end), '=lib', 'b')
            return tostring(f) .. ' ' .. tostring(err)
            """)
        #expect(result?.hasPrefix("nil ") == true)
        #expect(result?.contains("binary") == true)
    }
}
