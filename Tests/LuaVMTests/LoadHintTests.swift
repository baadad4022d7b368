@testable import LuaVM
import Testing

/// `load` of exactly the hinted text under the hinted chunk name gets the host's
/// bytecode; anything else is parsed. The tests hint bytecode of *other* text, so
/// which path ran shows in the result.
@Suite struct LoadHintTests {
    static func hint(_ source: String, servedAs served: String, chunkName: String = "=module") throws -> LoadHint {
        LoadHint(source: source, chunkName: chunkName, bytecode: try LuaState.compile(name: chunkName, source: served))
    }

    @Test func theHintedTextLoadsTheHintedBytecode() throws {
        let state = try LuaState()
        let hint = try Self.hint("return 1", servedAs: "return 2")
        let served = LoadHint.servedOnThisThread
        let value = try hint.whileSet { try state.exec("return load('return 1', '=module')()") }
        #expect(value == "2")
        #expect(LoadHint.servedOnThisThread == served + 1)
    }

    @Test func anyOtherTextOrNameIsParsed() throws {
        let state = try LuaState()
        let hint = try Self.hint("return 1", servedAs: "return 2")
        let values = try hint.whileSet { () throws -> [String?] in
            [try state.exec("return load('return 1', '=other')()"),
             try state.exec("return load('return 1 ', '=module')()"),
             try state.exec("return load('return 1')()"),
             try state.exec("return load('return 3', '=module')()")]
        }
        #expect(values == ["1", "1", "1", "3"])
    }

    @Test func noHintOutsideTheCall() throws {
        let state = try LuaState()
        let hint = try Self.hint("return 1", servedAs: "return 2")
        _ = try hint.whileSet { try state.exec("return 0") }
        #expect(try state.exec("return load('return 1', '=module')()") == "1")
    }

    @Test func theEnvironmentArgumentIsHonoured() throws {
        let state = try LuaState()
        let hint = try Self.hint("return x", servedAs: "return x")
        let values = try hint.whileSet { () throws -> [String?] in
            [try state.exec("return load('return x', '=module', 't', { x = 'env' })()"),
             // An explicit nil env, as with the standard load: globals are unreachable.
             try state.exec("return tostring((pcall(load('return x', '=module', 't', nil))))"),
             try state.exec("x = 'global'; return load('return x', '=module')()")]
        }
        #expect(values == ["env", "false", "global"])
    }

    @Test func debugInfoSurvives() throws {
        let state = try LuaState()
        let source = "local a = 1\nerror('line two')"
        let hint = LoadHint(source: source, chunkName: "=module",
                            bytecode: try LuaState.compile(name: "=module", source: source))
        let message = try hint.whileSet {
            try state.exec("local ok, err = pcall(load(\"local a = 1\\nerror('line two')\", '=module')); return err")
        }
        #expect(message == "module:2: line two")
    }

    @Test func unloadableBytecodeFailsLikeALoadError() throws {
        let state = try LuaState()
        let hint = LoadHint(source: "return 1", chunkName: "=module", bytecode: [0x1b, 0x4c, 0x75, 0x61, 0x00])
        let answer = try hint.whileSet {
            try state.exec("local f, err = load('return 1', '=module'); return tostring(f) .. ' ' .. type(err)")
        }
        #expect(answer == "nil string")
    }

    // MARK: - Boot images

    @Test func aBootImageRegistersItsModulesAndRunsItsRunner() throws {
        let image = LuaBootImage(
            modules: [(".twice", try LuaState.compile(name: ".twice", source: "return function(x) return 2 * x end"))],
            runner: ("=runner", try LuaState.compile(name: "=runner", source: "Booted = require('.twice')(21)")))
        let state = try LuaState()
        try state.boot(image)
        #expect(try state.exec("return Booted") == "42")
    }

    @Test func aFailingBootThrowsAndLeavesTheCollectorRunning() throws {
        let image = LuaBootImage(modules: [], runner: ("=runner", try LuaState.compile(name: "=runner", source: "error('no')")))
        let state = try LuaState()
        #expect(throws: LuaError.self) { try state.boot(image) }
        let before = state.memoryUsed
        try state.exec("for i = 1, 20000 do local t = { string.rep('x', 1000) } end", budget: 0)
        #expect(state.memoryUsed < before + 4_000_000)
    }

    @Test func aBootImageWithBadBytecodeThrows() throws {
        let image = LuaBootImage(modules: [(".bad", [0x1b, 0x4c, 0x75, 0x61])],
                                 runner: ("=runner", try LuaState.compile(name: "=runner", source: "X = 1")))
        let state = try LuaState()
        #expect(throws: LuaError.self) { try state.boot(image) }
        #expect(try state.exec("return tostring(X)") == "nil")
    }
}
