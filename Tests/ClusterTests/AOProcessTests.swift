import Testing
@testable import Cluster
import LuaVM

/// One AO process in the real runtime: boot, atomic messages, limits, determinism.
@Suite struct AOProcessTests {
    @Test func theModuleBootsFromTheSpawnMessage() throws {
        let p = try ProcessHarness("Greeting = 'hello' print('booted')")
        #expect(p.boot.error == nil)
        #expect(p.boot.output.contains("booted"))
        #expect(try p.global("Greeting") == "hello")
        #expect(p.process.nextSlot == 1)
    }

    @Test func aModuleThatFailsToBootLeavesTheProcessAsBefore() throws {
        let p = try ProcessHarness("Half = true\nerror('broken module')")
        #expect(p.boot.error?.contains("broken module") == true)
        #expect(try p.global("Half") == "nil")
        #expect(p.eval("return 1 + 1").output.contains("2"))
    }

    @Test func aFailingHandlerLeavesStateAndOutboxUntouched() throws {
        let p = try ProcessHarness("""
            Book = { entries = 0, list = {} }
            Handlers.add('Add', 'Add', function(msg)
              Book.entries = Book.entries + 1
              table.insert(Book.list, msg.Data)
              Send({ Target = msg.From, Action = 'Added' })
              if msg.Data == 'bad' then error('refused ' .. msg.Data) end
            end)
            """, snapshotInterval: 4)
        for i in 0..<10 {
            #expect(p.send("Add", data: "entry\(i)").error == nil)
        }
        let failed = p.send("Add", data: "bad")
        #expect(failed.error?.contains("refused bad") == true)
        #expect(failed.messages.isEmpty)
        #expect(try p.global("Book.entries") == "10")
        #expect(try p.global("#Book.list") == "10")
        #expect(try p.global("Book.list[10]") == "entry9")
        let next = p.send("Add", data: "after")
        #expect(next.error == nil)
        #expect(next.messages.count == 1)
        #expect(try p.global("Book.entries") == "11")
    }

    /// Messages kept for a rollback are bounded by the Data they hold, not only by their
    /// number: a process fed large messages snapshots sooner, and still rolls back exactly.
    @Test func messagesKeptForRollbackAreBoundedByTheirData() throws {
        let p = try ProcessHarness("""
            Sizes = {}
            Handlers.add('Keep', 'Keep', function(msg)
              Sizes[#Sizes + 1] = #msg.Data
              if msg.Data:sub(1, 3) == 'bad' then error('refused') end
            end)
            """, snapshotInterval: 1_000)
        let big = String(repeating: "v", count: 30_000)
        var most = 0
        for _ in 0..<100 {
            #expect(p.send("Keep", data: big).error == nil)
            most = max(most, p.process.retainedData)
        }
        // Never more than the limit plus the message that reached it.
        #expect(most < AOProcess.retainedDataLimit + big.utf8.count)
        #expect(most >= AOProcess.retainedDataLimit - big.utf8.count)
        #expect(p.send("Keep", data: "bad" + big).error?.contains("refused") == true)
        #expect(try p.global("#Sizes") == "100")
        #expect(p.send("Keep", data: "small").error == nil)
        #expect(try p.global("Sizes[101]") == "5")
    }

    /// While a handler is parked in Receive the heap cannot be persisted: the next try
    /// waits some messages, and once the handler is done a snapshot succeeds.
    @Test func aParkedHandlerDefersTheSnapshotNotEveryMessage() throws {
        let p = try ProcessHarness("""
            Got = 0
            Handlers.add('Wait', 'Wait', function() Receive({ Action = 'Go' }); Got = Got + 1 end)
            Handlers.add('Keep', 'Keep', function() end)
            """, snapshotInterval: 1_000)
        p.send("Wait")
        let big = String(repeating: "v", count: 100_000)
        for _ in 0..<12 { p.send("Keep", data: big) }   // past the limit while parked
        #expect(p.process.retainedData >= 12 * big.utf8.count)   // nothing could be dropped
        p.send("Go")
        #expect(try p.global("Got") == "1")
        p.send("Keep")
        #expect(p.process.retainedData > 0)    // not retried on every message
        for _ in 0..<AOProcess.snapshotRetryMessages { p.send("Keep") }
        #expect(p.process.retainedData == 0)   // the deferred try came, and succeeded
    }

    /// 2M counts every message; 10M runs it uncounted first, stopped by the watchdog and
    /// rerun counted (UncountedRunTests): the same outcome either way.
    @Test(arguments: [2_000_000, 10_000_000] as [Int64])
    func anEndlessLoopFailsOnlyItsMessage(budget: Int64) throws {
        let p = try ProcessHarness("""
            N = 0
            Handlers.add('Spin', 'Spin', function() N = N + 1 while true do end end)
            Handlers.add('Inc', 'Inc', function() N = N + 1 end)
            """, limits: .init(memoryBytes: 64 << 20, instructionsPerCall: budget))
        p.send("Inc")
        let spun = p.send("Spin")
        #expect(spun.error?.contains("instruction budget exceeded") == true)
        #expect(p.process.countedReruns == (budget >= 10_000_000 ? 1 : 0))
        #expect(!p.process.countsInstructions, "a long message alone does not make a process count")
        #expect(try p.global("N") == "1")
        #expect(p.send("Inc").error == nil)
        #expect(try p.global("N") == "2")
    }

    @Test func aMemoryBombFailsOnlyItsMessage() throws {
        let p = try ProcessHarness("""
            Hoard = {}
            Handlers.add('Bomb', 'Bomb', function()
              local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 64) .. i end
            end)
            Handlers.add('Keep', 'Keep', function(msg) Hoard[#Hoard + 1] = msg.Data end)
            """, limits: .init(memoryBytes: 48 << 20, instructionsPerCall: 1_000_000_000))
        p.send("Keep", data: "one")
        let bomb = p.send("Bomb")
        #expect(bomb.error?.contains("memory limit exceeded") == true)
        #expect(p.send("Keep", data: "two").error == nil)
        #expect(try p.global("#Hoard") == "2")
    }

    @Test func sameModuleAndMessagesGiveByteIdenticalHeaps() throws {
        let module = """
            Seen = {}
            Handlers.add('Note', 'Note', function(msg)
              Seen[msg.Data] = { at = os.time(), roll = math.random(1, 1000000), from = msg.From }
              local keys = {}
              for k in pairs(Seen) do keys[#keys + 1] = k end
              Last = table.concat(keys, ',')
            end)
            """
        func run() throws -> [UInt8] {
            let p = try ProcessHarness(module)
            for word in ["pear", "apple", "fig", "kiwi", "banana", "cherry"] {
                #expect(p.send("Note", data: word).error == nil)
            }
            return try p.process.persist()
        }
        let first = try run()
        #expect(first.count > 1000)
        for _ in 0..<3 {
            #expect(try run() == first)
        }
    }

    @Test func aRestoredProcessBehavesExactlyAsTheOriginal() throws {
        let module = """
            Counter = 0
            local history = {}
            local function remember(x) history[#history + 1] = x; return #history end
            Handlers.add('Step', 'Step', function(msg)
              Counter = Counter + tonumber(msg.Data)
              local n = remember(math.random(1, 100))
              msg.reply({ Data = tostring(Counter) .. ':' .. n .. ':' .. history[n] })
            end)
            """
        let original = try ProcessHarness(module)
        for i in 1...5 { original.send("Step", data: "\(i)") }
        let snapshot = try original.process.persist()
        let copy = try AOProcess(identity: original.process.identity, moduleSource: module, snapshot: snapshot,
                                 nextSlot: original.process.nextSlot)
        for i in 6...12 {
            let a = original.send("Step", data: "\(i)")
            let slot = copy.nextSlot
            let b = copy.handle(Message(id: Identifiers.derive("test-message", copy.identity.id, String(slot)),
                                        from: ProcessHarness.owner, target: copy.identity.id,
                                        tags: [Tag("Action", "Step")], data: "\(i)",
                                        timestamp: 1_700_000_000_000 + slot * 1000, slot: slot))
            #expect(a == b)
        }
        #expect(try original.process.persist() == copy.persist())
    }

    @Test func evalRunsForTheOwnerOnly() throws {
        let p = try ProcessHarness("Secret = 42")
        let mine = p.eval("Secret + 1")
        #expect(mine.error == nil)
        #expect(mine.output.contains("43"))
        let theirs = p.eval("Secret = 0", from: ProcessHarness.stranger)
        #expect(try p.global("Secret") == "42")
        #expect(theirs.error != nil || !theirs.output.contains("0"))
    }

    @Test func anEvalSyntaxErrorIsReportedAndTheProcessGoesOn() throws {
        let p = try ProcessHarness("X = 1")
        let broken = p.eval("X = = 2")
        #expect(broken.error != nil)
        #expect(try p.global("X") == "1")
        #expect(p.eval("X = 3").error == nil)
        #expect(try p.global("X") == "3")
    }
}
