import Testing
@testable import LuaVM

/// What user code can and cannot reach inside a process state.
@Suite struct SandboxTests {
    let lua = try! LuaState()

    @Test func ioOsDebugAndFileLoadingAreGone() throws {
        #expect(try lua.exec("return type(io)") == "nil")
        #expect(try lua.exec("return type(debug)") == "nil")
        #expect(try lua.exec("return type(dofile)") == "nil")
        #expect(try lua.exec("return type(loadfile)") == "nil")
        #expect(try lua.exec("return type(package.loadlib)") == "nil")
        #expect(try lua.exec("return type(package.searchpath)") == "nil")
        #expect(try lua.exec("return type(os.execute)") == "nil")
        #expect(try lua.exec("return type(os.getenv)") == "nil")
        #expect(try lua.exec("return type(os.exit)") == "nil")
    }

    @Test func osTimeIsTheMessageTimestamp() throws {
        lua.setTime(1_700_000_123_456)
        #expect(try lua.exec("return os.time()") == "1700000123456")
    }

    /// Lua runs finalizers with hooks off, so an endless __gc could never be stopped
    /// (it hung the thread before); metatables with __gc are refused.
    @Test func finalizersAreRefused() throws {
        let refused = #expect(throws: LuaError.self) {
            try lua.exec("setmetatable({}, { __gc = function() while true do end end }) collectgarbage()")
        }
        #expect(refused?.message.contains("has a __gc field") == true)
        // Added later, __gc is never called (Lua marks objects only in setmetatable).
        #expect(try lua.exec("""
            local mt = {}
            setmetatable({}, mt)
            mt.__gc = function() Finalized = true end
            collectgarbage() collectgarbage()
            return tostring(Finalized)
            """) == "nil")
        #expect(try lua.exec("""
            local t = setmetatable({}, { __index = function(_, k) return k .. '!' end })
            return t.hi
            """) == "hi!")
        #expect(try lua.exec("return tostring(select('#', setmetatable({}, nil)))") == "1")
    }

    /// The sandbox wraps coroutine.wrap and coroutine.close (so the watchdog can stop
    /// the thread they run); what they do stays the standard behaviour.
    @Test func coroutineWrapAndCloseBehaveAsTheStandardOnes() throws {
        #expect(try lua.exec("""
            local f = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
            return f(1) .. ',' .. f(10)
            """) == "2,20")
        #expect(try lua.exec("""
            local f = coroutine.wrap(function() error('boom') end)
            local ok, e = pcall(function() f() end)
            return e
            """) == "chunk:2: chunk:1: boom")
        #expect(try lua.exec("""
            local f = coroutine.wrap(function() return 1 end) f()
            local ok, e = pcall(f)
            return e
            """) == "cannot resume dead coroutine")
        #expect(try lua.exec("""
            local co = coroutine.create(function()
              local x <close> = setmetatable({}, { __close = function() Closed = true end })
              coroutine.yield()
            end)
            coroutine.resume(co)
            local ok = coroutine.close(co)
            return tostring(ok) .. ',' .. tostring(Closed) .. ',' .. coroutine.status(co)
            """) == "true,true,dead")
        #expect(try lua.exec("local ok, e = pcall(coroutine.close, 42) return e")?.contains("bad argument") == true)
        #expect(try lua.exec("local ok, e = pcall(coroutine.wrap, 42) return e")?.contains("bad argument") == true)
    }

    @Test func osClockCountsInstructionsNotWallTime() throws {
        let first = try lua.exec("for i = 1, 100000 do end return os.clock()")
        let second = try lua.exec("for i = 1, 100000 do end return os.clock()")
        #expect(first == second)
        #expect(first != "0.0")
    }

    @Test func loadAcceptsTextAndRefusesBytecode() throws {
        #expect(try lua.exec("return load('return 1 + 2')()") == "3")
        let refused = try lua.exec("""
            local f, err = load(string.dump(function() return 1 end))
            return f == nil and err or 'loaded bytecode'
            """)
        #expect(refused?.contains("binary") == true)
        // An explicit "b" mode is overridden too.
        #expect(try lua.exec("local f = load(string.dump(function() end), 'x', 'b') return tostring(f)") == "nil")
    }

    @Test func loadKeepsAnExplicitEnvironment() throws {
        #expect(try lua.exec("return load('return x', 'chunk', 't', { x = 'env' })()") == "env")
        #expect(try lua.exec("y = 'global' return load('return y')()") == "global")
    }

    @Test func requireResolvesOnlyPreloadedModules() throws {
        try lua.preload(name: "greeting", source: "return { hello = 'hi' }")
        #expect(try lua.exec("return require('greeting').hello") == "hi")
        #expect(try lua.exec("package.preload.mine = function() return 'own' end return require('mine')") == "own")
        let error = #expect(throws: LuaError.self) { try lua.exec("require('os')") }
        #expect(error?.message.contains("module 'os' not found") == true)
        #expect(throws: LuaError.self) { try lua.exec("require('socket')") }
    }

    @Test func randomseedWithoutASeedIsRefused() throws {
        let error = #expect(throws: LuaError.self) { try lua.exec("math.randomseed()") }
        #expect(error?.message.contains("needs a seed") == true)
    }

    @Test func seededRandomIsRepeatable() throws {
        try lua.seedRandom(42, 7)
        let first = try lua.exec("return math.random(1, 1000000) .. ',' .. math.random()")
        let other = try LuaState()
        try other.seedRandom(42, 7)
        #expect(try other.exec("return math.random(1, 1000000) .. ',' .. math.random()") == first)
        try other.seedRandom(42, 8)
        #expect(try other.exec("return math.random(1, 1000000) .. ',' .. math.random()") != first)
    }

    @Test func collectgarbageOffersOnlyHarmlessOptions() throws {
        #expect(try lua.exec("return type(collectgarbage('count'))") == "number")
        #expect(throws: LuaError.self) { try lua.exec("collectgarbage('stop')") }
        #expect(throws: LuaError.self) { try lua.exec("collectgarbage('generational')") }
    }

    @Test func syntaxErrorsAreReportedAsSuch() throws {
        let error = #expect(throws: LuaError.self) { try lua.exec("local = 1", chunkName: "=broken") }
        #expect(error?.kind == .syntax)
        #expect(error?.message.contains("broken:1") == true)
    }

    @Test func runtimeErrorsCarryATraceback() throws {
        let error = #expect(throws: LuaError.self) {
            try lua.exec("local function f() error('boom') end f()", chunkName: "=code")
        }
        #expect(error?.kind == .runtime)
        #expect(error?.summary == "code:1: boom")
        #expect(error?.message.contains("stack traceback") == true)
    }
}
