import Foundation
import LuaVM
import Testing

/// Persist stores the C functions of the fresh globals by name. The name tables are
/// built on the first persist or restore, from the functions the state was created
/// with: a process that replaced them in the meantime still persists the originals.
@Suite struct PermanentsTests {
    @Test func replacedLibraryFunctionsStillPersistAsTheOriginals() throws {
        let state = try LuaState()
        try state.exec("""
            Kept = { format = string.format, load = load, random = math.random, require = require,
                     resume = coroutine.resume, searcher = package.searchers[1] }
            string.format, load, math.random, require = nil, nil, nil, nil
            """)
        let restored = try LuaState.restore(try state.persist())
        #expect(try restored.exec("return Kept.format('%d-%s', 7, 'x')") == "7-x")
        #expect(try restored.exec("return Kept.load('return 2')()") == "2")
        #expect(try restored.exec("math.randomseed(3, 4); return tostring(math.type(Kept.random(1, 9)))") == "integer")
        #expect(try restored.exec("return tostring(Kept.resume == coroutine.resume)") == "true")
        #expect(try restored.exec("return tostring(Kept.searcher == package.searchers[1])") == "true")
        #expect(try restored.exec("return tostring(string.format)") == "nil")
    }

    /// A restored state's own functions are the ones a snapshot names, and persisting
    /// it again gives the same bytes.
    @Test func persistThenRestoreThenPersistIsStable() throws {
        let state = try LuaState()
        try state.exec("math.randomseed(1, 2); F = { math.random, string.rep, json and json.encode }")
        let bytes = try state.persist()
        let restored = try LuaState.restore(bytes)
        #expect(try restored.persist() == bytes)
        #expect(try restored.exec("return tostring(F[1] == math.random and F[2] == string.rep)") == "true")
    }

    @Test func statesMadeOnManyThreadsAtOnceAllPersist() throws {
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                let state = try LuaState()
                try state.exec("G = { string.format, require }")
                _ = try LuaState.restore(try state.persist())
            } catch {
                failures.add()
            }
        }
        #expect(failures.value == 0)
    }

    /// A fresh state holds no name tables: they cost memory only once a state persists.
    @Test func aFreshStateIsSmallerThanOneThatPersisted() throws {
        let state = try LuaState()
        let fresh = state.memoryUsed
        _ = try state.persist()
        #expect(state.memoryUsed > fresh)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
