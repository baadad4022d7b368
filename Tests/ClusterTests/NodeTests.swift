import Foundation
import Testing
@testable import Cluster
import Ledger
import EventLoop

/// The cluster on libuv with its durable log: messages between processes,
/// spawning, cron, fairness, back-pressure, restarts.
@Suite(.serialized) struct NodeTests {
    static let pinger = """
        Pongs = 0
        Handlers.add('Start', 'Start', function(msg)
          Send({ Target = msg.Data, Action = 'Ping', Data = '1' })
        end)
        Handlers.add('Pong', 'Pong', function(msg)
          Pongs = Pongs + 1
          if Pongs < 10 then Send({ Target = msg.From, Action = 'Ping', Data = tostring(Pongs + 1) }) end
        end)
        """
    static let ponger = """
        Pings = 0
        Handlers.add('Ping', 'Ping', function(msg)
          Pings = Pings + 1
          msg.reply({ Action = 'Pong', Data = msg.Data })
        end)
        """

    @Test func twoProcessesPlayPingPong() async throws {
        let h = try NodeHarness()
        let a = try await h.spawn(Self.pinger)
        let b = try await h.spawn(Self.ponger)
        let start = try await h.send(a, "Start", data: b)
        #expect(start.slot == 1)
        #expect(try await h.eventually { try await h.value(a, "Pongs") == "10" })
        #expect(try await h.value(b, "Pings") == "10")
        // Every hop is in the log: b has spawn + 10 pings, a has spawn + Start + 10 pongs.
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(try h.node.ledger.chainHead(of: b)?.slot == 10)
        #expect(try h.node.ledger.chainHead(of: a)?.slot == 11)
        #expect(try h.node.ledger.verify(process: a).isValid)
    }

    /// The benchmarks' split of CPU by kind of message: every evaluation is reported
    /// once, with its process and Action, and a handler that spins costs more.
    @Test func evaluationCPUIsReportedPerMessage() async throws {
        let seen = Locked<[(String, String?, Double)]>([])
        let h = try NodeHarness { $0.onEvaluationCPU = { p, a, s in seen.withLock { $0.append((p, a, s)) } } }
        let a = try await h.spawn(Self.pinger)
        let b = try await h.spawn(Self.ponger)
        let spinner = try await h.spawn("""
            Handlers.add('Spin', 'Spin', function() local x = 0; for i = 1, 3000000 do x = x + i end end)
            """)
        try await h.send(a, "Start", data: b)
        #expect(try await h.eventually { try await h.value(a, "Pongs") == "10" })
        try await h.send(spinner, "Spin")
        try await h.node.waitUntilIdle()
        let reports = seen.withLock { $0 }
        #expect(reports.filter { $0.0 == b && $0.1 == "Ping" }.count == 10)
        #expect(reports.filter { $0.0 == a && $0.1 == "Pong" }.count == 10)
        #expect(reports.allSatisfy { $0.2 >= 0 })
        let ping = reports.filter { $0.1 == "Ping" }.map(\.2).max() ?? 1
        let spin = reports.first { $0.0 == spinner && $0.1 == "Spin" }?.2 ?? 0
        #expect(spin > 10 * ping)
    }

    @Test func aProcessSpawnsAThousandChildrenThatEachReply() async throws {
        let h = try NodeHarness()
        let childModule = try await h.node.storeModule("""
            Handlers.add('Hello', 'Hello', function(msg) msg.reply({ Action = 'Hi', Data = ao.id }) end)
            """)
        let parent = try await h.spawn("""
            Children, Replies = {}, 0
            Handlers.add('Hi', 'Hi', function() Replies = Replies + 1 end)
            Handlers.add('Grow', 'Grow', function(msg)
              for i = 1, tonumber(msg.Data) do Spawn('\(childModule)', { Data = '' }) end
            end)
            Handlers.add('Spawned', 'Spawned', function(msg)
              Children[#Children + 1] = msg.Process
              Send({ Target = msg.Process, Action = 'Hello' })
            end)
            """)
        try await h.send(parent, "Grow", data: "1000")
        #expect(try await h.eventually(120) { try await h.value(parent, "Replies") == "1000" })
        #expect(try await h.value(parent, "#Children") == "1000")
    }

    @Test func receiveWaitsForAnotherProcessesAnswer() async throws {
        let h = try NodeHarness()
        let b = try await h.spawn(Self.ponger)
        let a = try await h.spawn("""
            Handlers.add('Ask', 'Ask', function(msg)
              local answer = Send({ Target = msg.Data, Action = 'Ping', Data = 'question' }).receive()
              Answer = answer.Action .. ':' .. answer.Data
            end)
            """)
        try await h.send(a, "Ask", data: b)
        #expect(try await h.eventually { try await h.value(a, "Answer") == "Pong:question" })
    }

    @Test func cronTicksArriveAndAreLogged() async throws {
        let h = try NodeHarness()
        // Before the spawn: the cron starts with the process, and a slow spawn could
        // otherwise return after its first tick.
        let started = Date()
        let p = try await h.spawn("""
            Ticks = 0
            Handlers.add('Cron', 'Cron', function(msg) if msg.Cron then Ticks = Ticks + 1 end end)
            """, tags: [Tag("Cron-Interval", "50-milliseconds")])
        #expect(try await h.eventually { Int(try await h.value(p, "Ticks") ?? "0")! >= 5 })
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.2)   // 5 ticks at 50 ms cannot come sooner
        // Evaluation runs ahead of the commit: the state can show a tick whose entry
        // is a moment from durable.
        #expect(try await h.eventually { try h.node.ledger.assignments(of: p, slots: 1...3).count == 3 })
        let log = try h.node.ledger.assignments(of: p, slots: 1...3)
        #expect(log.count == 3)
        #expect(log.allSatisfy { $0.tags.contains(TagRecord("Cron", "true")) })
    }

    /// 5M counts every message; 10M runs uncounted, stopped by the watchdog on the
    /// shard's thread and rerun counted (docs/RUNTIME.md).
    @Test(arguments: [5_000_000, 10_000_000] as [Int64])
    func anEndlessLoopDoesNotStallItsNeighbour(budget: Int64) async throws {
        let h = try NodeHarness { $0.limits = .init(memoryBytes: 64 << 20, instructionsPerCall: budget) }
        let spinner = try await h.spawn("Handlers.add('Spin', 'Spin', function() while true do end end)")
        let b = try await h.spawn(Self.ponger)
        let spin = try await h.send(spinner, "Spin")
        #expect(spin.result.error?.contains("instruction budget exceeded") == true)
        let started = Date()
        let pong = try await h.send(b, "Ping", data: "x")
        #expect(pong.result.messages.first?.tags[tag: "Action"] == "Pong")
        // Stalled, it would never answer; 10 s leaves room for a loaded CI machine
        // running the whole suite in parallel (a debug build; 2 s was once exceeded).
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try await h.send(spinner, "Spin").result.error != nil)   // the spinner still answers
    }

    @Test func aFloodedMailboxRejectsWithAClearError() async throws {
        let h = try NodeHarness { $0.mailboxCapacity = 5; $0.quantum = 1 }
        let p = try await h.spawn("Handlers.add('Slow', 'Slow', function() local x = 0 for i = 1, 200000 do x = x + i end end)")
        var rejected: NodeError?
        await withTaskGroup(of: NodeError?.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    do { _ = try await h.send(p, "Slow"); return nil } catch { return error as? NodeError }
                }
            }
            for await outcome in group where outcome != nil { rejected = outcome }
        }
        #expect(rejected == .mailboxFull(process: p, capacity: 5))
        #expect(rejected?.description.contains("retry later") == true)
    }

    @Test func aRestartKeepsEveryProcessAndItsState() async throws {
        let h = try NodeHarness { $0.snapshotEvery = 4 }
        let a = try await h.spawn(Self.pinger)
        let b = try await h.spawn(Self.ponger)
        try await h.send(a, "Start", data: b)
        #expect(try await h.eventually { try await h.value(a, "Pongs") == "10" })
        try h.restart()
        #expect(h.node.recovery.processes == 2)
        #expect(h.node.recovery.fromSnapshots >= 1)
        #expect(try await h.value(a, "Pongs") == "10")
        #expect(try await h.value(b, "Pings") == "10")
        let next = try await h.send(b, "Ping", data: "again")
        #expect(next.slot == 11)
        #expect(try await h.value(b, "Pings") == "11")
        #expect(try h.node.ledger.verify(process: b).isValid)
    }

    @Test func aSecondPushOfTheSameMessageIdIsRefused() async throws {
        let h = try NodeHarness()
        let b = try await h.spawn(Self.ponger)
        let id = Identifiers.derive("test", "once")
        let first = try await h.node.push(to: b, from: NodeHarness.owner, tags: [Tag("Action", "Ping")], id: id)
        #expect(first.slot == 1)
        await #expect(throws: NodeError.duplicate("message \(id) was already delivered")) {
            _ = try await h.node.push(to: b, from: NodeHarness.owner, tags: [Tag("Action", "Ping")], id: id)
        }
        #expect(try await h.send(b, "Ping").slot == 2)   // the chain goes on, no gap
        #expect(try h.node.ledger.verify(process: b).isValid)
    }

    @Test func fourShardsSpreadProcessesAndRouteBetweenThem() async throws {
        let h = try NodeHarness { $0.shards = 4; $0.snapshotEvery = 3 }
        #expect(h.node.shardCount == 4)
        var pairs: [(String, String)] = []
        for _ in 0..<8 {
            pairs.append((try await h.spawn(Self.pinger), try await h.spawn(Self.ponger)))
        }
        let used = Set(pairs.flatMap { [h.node.map.index(of: $0.0), h.node.map.index(of: $0.1)] })
        #expect(used.count > 1)   // 16 random ids on 4 shards: not all on one
        #expect(pairs.contains { h.node.map.index(of: $0.0) != h.node.map.index(of: $0.1) })
        for (a, b) in pairs { try await h.send(a, "Start", data: b) }
        try await h.node.waitUntilIdle()
        for (a, b) in pairs {
            #expect(try await h.value(a, "Pongs") == "10")
            #expect(try await h.value(b, "Pings") == "10")
        }
        try h.restart()
        #expect(h.node.recovery.processes == 16)
        for (a, _) in pairs { #expect(try await h.value(a, "Pongs") == "10") }
        #expect(try Verifier().verify(ledger: h.node.ledger).isValid)
    }

    @Test func unknownProcessesAreRefused() async throws {
        let h = try NodeHarness()
        await #expect(throws: NodeError.unknownProcess("nope")) { try await h.send("nope", "Ping") }
    }
}
