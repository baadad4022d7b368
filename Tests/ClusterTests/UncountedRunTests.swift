@testable import Cluster
import Dispatch
import EventLoop
import LuaVM
import Testing

/// Messages run first without the instruction-count hook, under the watchdog, and
/// again counting when that cannot finish (docs/RUNTIME.md, "Counting instructions").
/// Whichever way a message ran, its result and the heap after it are the same.
@Suite struct UncountedRunTests {
    /// The smallest budget that runs uncounted (CLUA_UNCOUNTED_MIN_BUDGET): 1 ms.
    static let watched = LuaLimits(memoryBytes: 64 << 20, instructionsPerCall: 10_000_000)
    /// A budget below it: every message counts from the start.
    static let counted = LuaLimits(memoryBytes: 64 << 20, instructionsPerCall: 9_999_999)

    /// Several threads in endless loops at once, on libdispatch's threads (which start
    /// with signals blocked): each is stopped on its own.
    @Test func endlessLoopsOnSeveralThreadsAreEachStopped() {
        let errors = Locked<[String?]>(Array(repeating: nil, count: 4))
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let outcome: String?
            do {
                let p = try ProcessHarness("Handlers.add('Spin', 'Spin', function() while true do end end)",
                                           id: Identifiers.derive("test", "spinner-\(i)"), limits: Self.watched)
                outcome = p.send("Spin").error
            } catch {
                outcome = "\(error)"
            }
            errors.withLock { $0[i] = outcome }
        }
        for error in errors.withLock({ $0 }) {
            #expect(error?.contains("instruction budget exceeded") == true, "\(error ?? "no error")")
        }
    }

    /// Every way Lua code runs in another thread, and pcall around the loop.
    @Test(arguments: [
        "local co = coroutine.create(function() while true do end end) coroutine.resume(co)",
        "coroutine.wrap(function() while true do end end)()",
        "coroutine.wrap(function() pcall(function() while true do end end) end)()",
        "coroutine.resume(coroutine.create(function() coroutine.wrap(function() while true do end end)() end))",
        """
        local co = coroutine.create(function()
          local guard <close> = setmetatable({}, { __close = function() while true do end end })
          coroutine.yield()
        end)
        coroutine.resume(co)
        coroutine.close(co)
        """,
        "local ok = pcall(function() while true do end end) Caught = ok",
    ])
    func endlessLoopsAreStoppedInCoroutinesAndUnderPcall(_ body: String) throws {
        let p = try ProcessHarness("""
            N = 0
            Handlers.add('Spin', 'Spin', function() N = N + 1 \(body) end)
            Handlers.add('Inc', 'Inc', function() N = N + 1 end)
            """, limits: Self.watched)
        let spun = p.send("Spin")
        #expect(spun.error?.contains("instruction budget exceeded") == true, "\(spun.error ?? "no error")")
        #expect(try p.global("N") == "0")
        #expect(try p.global("Caught") == "nil")
        #expect(p.send("Inc").error == nil)
        #expect(try p.global("N") == "1")
    }

    @Test func aMessageThatOutlivesItsDeadlineIsRerunAndSucceeds() throws {
        // ~6M instructions: within the budget, and several ms at any VM's speed.
        let p = try ProcessHarness("""
            Sum = 0
            Handlers.add('Add', 'Add', function() local s = 0 for i = 1, 2000000 do s = s + i end Sum = Sum + s end)
            """, limits: Self.watched)
        #expect(p.send("Add").error == nil)
        #expect(p.process.countedReruns == 1)
        #expect(try p.global("Sum") == "2000001000000")
        // The next messages count from the start: no rollback for each long one.
        #expect(p.send("Add").error == nil)
        #expect(p.send("Add").error == nil)
        #expect(p.process.countedReruns == 1)
        #expect(try p.global("Sum") == "6000003000000")
    }

    @Test func osClockAnswersAsIfCountedAndTheProcessCountsFromThen() throws {
        let module = """
            N = 0
            Handlers.add('Clock', 'Clock', function()
              N = N + 1
              local s = 0
              for i = 1, 30000 do s = s + i end
              Clocks = (Clocks and Clocks .. ',' or '') .. string.format('%.6f', os.clock())
            end)
            """
        let uncounted = try ProcessHarness(module, limits: Self.watched)
        let counted = try ProcessHarness(module, limits: Self.counted)
        #expect(!uncounted.process.countsInstructions)
        for _ in 0..<3 {
            #expect(uncounted.send("Clock").error == nil)
            #expect(counted.send("Clock").error == nil)
        }
        #expect(uncounted.process.countsInstructions)
        #expect(uncounted.process.countedReruns == 1)
        #expect(counted.process.countedReruns == 0)
        #expect(try uncounted.global("N") == "3", "the stopped run's writes are undone")
        let clocks = try #require(try uncounted.global("Clocks"))
        #expect(clocks == (try counted.global("Clocks")))
        let values = clocks.split(separator: ",").compactMap { Double($0) }
        #expect(values.count == 3 && values.allSatisfy { $0 > 0 })
    }

    @Test func aModuleReadingOsClockAtBootStartsCounting() throws {
        let p = try ProcessHarness("Booted = os.clock() >= 0", limits: Self.watched)
        #expect(p.boot.error == nil)
        #expect(try p.global("Booted") == "true")
        #expect(p.process.countsInstructions)
    }

    @Test func anUnbudgetedProcessRunsUncountedUntilItReadsTheClock() throws {
        let p = try ProcessHarness("""
            Handlers.add('Work', 'Work', function() local s = 0 for i = 1, 200000 do s = s + i end Last = s end)
            Handlers.add('Clock', 'Clock', function() T = os.clock() end)
            """, limits: .init(memoryBytes: 64 << 20, instructionsPerCall: 0))
        #expect(p.send("Work").error == nil)
        #expect(p.process.countedReruns == 0, "no budget: no deadline")
        #expect(p.send("Clock").error == nil)
        #expect(p.process.countedReruns == 1)
        #expect(p.process.countsInstructions)
        #expect(try p.global("T").flatMap(Double.init).map { $0 >= 0 } == true)
    }
}
