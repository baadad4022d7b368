import Foundation
import Testing
@testable import Cluster
import Ledger

/// Idle processes leave memory and come back exactly as they were.
@Suite struct HibernationTests {
    static let counter = """
        N = 0
        Handlers.add('Inc', 'Inc', function(msg)
          if msg.Data == 'fail' then N = N + 1000; error('refused') end
          N = N + 1
          msg.reply({ Action = 'Counted', Data = tostring(N) })
        end)
        """

    private func harness() throws -> NodeHarness {
        try NodeHarness { $0.hibernateAfter = .milliseconds(40); $0.snapshotEvery = 0 }
    }

    private func waitForHibernation(_ h: NodeHarness, count: Int) async throws -> Bool {
        try await h.eventually(10) { try await h.node.hibernatingCount() >= count }
    }

    @Test func anIdleProcessHibernatesAndWakesWithItsState() async throws {
        let h = try harness()
        let p = try await h.spawn(Self.counter)
        for _ in 0..<5 { try await h.send(p, "Inc") }
        #expect(try await h.send(p, "Inc", data: "fail").result.error != nil)
        #expect(try await waitForHibernation(h, count: 1))
        let woken = try await h.send(p, "Inc")
        #expect(woken.result.error == nil)
        #expect(woken.result.messages.first?.data == "6")
        #expect(try await h.value(p, "N") == "6")
        #expect(try h.node.ledger.verify(process: p).isValid)
    }

    @Test func aLongTailIsSnapshottedBeforeHibernating() async throws {
        let h = try harness()
        let p = try await h.spawn(Self.counter)
        for _ in 0..<(Int(Shard.wakeReplayLimit) + 10) { try await h.send(p, "Inc") }
        #expect(try await waitForHibernation(h, count: 1))
        // Whenever the scans caught it idle (a loaded machine may pause between sends),
        // the snapshot left behind bounds what a wake replays.
        let last = Shard.wakeReplayLimit + 10
        let snapshot = try h.node.ledger.latestSnapshot(of: p)
        #expect((snapshot?.slot ?? -1) >= last - Shard.wakeReplayLimit)
        #expect(try await h.send(p, "Inc").result.messages.first?.data == String(Shard.wakeReplayLimit + 11))
    }

    /// A handler parked in Receive is rebuilt by the replay of its log.
    @Test func aParkedReceiveSurvivesHibernation() async throws {
        let h = try harness()
        let p = try await h.spawn("""
            Got = 'nothing'
            Handlers.add('Ask', 'Ask', function(msg)
              local answer = Receive({ Action = 'Answer' })
              Got = answer.Data
            end)
            """)
        try await h.send(p, "Ask")
        #expect(try await waitForHibernation(h, count: 1))
        try await h.send(p, "Answer", data: "forty-two")
        #expect(try await h.value(p, "Got") == "forty-two")
    }

    @Test func dryRunsAndMessagesFromOtherProcessesWakeIt() async throws {
        let h = try harness()
        let p = try await h.spawn(Self.counter)
        let caller = try await h.spawn("""
            Handlers.add('Go', 'Go', function(msg) Send({ Target = msg.Data, Action = 'Inc' }) end)
            Handlers.add('Counted', 'Counted', function(msg) Last = msg.Data end)
            """)
        try await h.send(p, "Inc")
        #expect(try await waitForHibernation(h, count: 2))
        let dry = try await h.node.dryRun(p, from: NodeHarness.owner, tags: [Tag("Action", "Inc")])
        #expect(dry.messages.first?.data == "2")
        try await h.send(caller, "Go", data: p)
        #expect(try await h.eventually { try await h.value(caller, "Last") == "2" })
        #expect(try await h.value(p, "N") == "2")
    }

    @Test func aRestartLoadsProcessesWithoutRunningThem() async throws {
        let h = try harness()
        let p = try await h.spawn(Self.counter)
        for _ in 0..<3 { try await h.send(p, "Inc") }
        try h.restart()
        #expect(try await h.node.hibernatingCount() == 1)
        #expect(try await h.send(p, "Inc").result.messages.first?.data == "4")
    }
}
