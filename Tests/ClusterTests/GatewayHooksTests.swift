import Foundation
import Testing
@testable import Cluster
import Ledger

/// What the node offers the gateway: public state by patch messages, dry runs, and
/// the commit observer that feeds the streams.
@Suite(.serialized) struct GatewayHooksTests {
    static let counter = """
        Count = 0
        Handlers.add('Add', 'Add', function(msg)
          Count = Count + tonumber(msg.Data)
          Send({ device = 'patch@1.0', count = Count, board = { top = 'ann', n = Count } })
          Send({ Target = msg.From, Action = 'Added', Data = tostring(Count) })
        end)
        Handlers.add('Fail', 'Fail', function(msg)
          Count = 999
          Send({ device = 'patch@1.0', count = Count })
          error('refused')
        end)
        Handlers.add('Peek', 'Peek', function(msg) print('count is ' .. Count) end)
        """

    @Test func patchMessagesBecomeDurablePublicStateAndAreNotRouted() async throws {
        let h = try NodeHarness()
        let p = try await h.spawn(Self.counter)
        try await h.send(p, "Add", data: "5")
        let second = try await h.send(p, "Add", data: "2")
        #expect(try h.node.ledger.publicValue(of: p, key: "count")?.value == "7")
        let board = try #require(try h.node.ledger.publicValue(of: p, key: "board"))
        #expect(board.slot == second.slot)
        let object = try JSONSerialization.jsonObject(with: Data(board.value.utf8)) as? [String: Any]
        #expect(object?["top"] as? String == "ann" && object?["n"] as? Int == 7)
        // A failing message publishes nothing.
        let failed = try await h.send(p, "Fail")
        #expect(failed.result.error != nil)
        #expect(try h.node.ledger.publicValue(of: p, key: "count")?.value == "7")
        #expect(try h.node.ledger.publicState(of: p).map(\.key) == ["board", "count"])
        // Survives a restart (it is in the database, not in memory).
        try h.restart()
        #expect(try h.node.ledger.publicValue(of: p, key: "count")?.value == "7")
    }

    @Test func aDryRunAnswersWithoutChangingTheProcess() async throws {
        let h = try NodeHarness()
        let p = try await h.spawn(Self.counter)
        try await h.send(p, "Add", data: "3")
        let head = try h.node.ledger.chainHead(of: p)?.slot
        let result = try await h.node.dryRun(p, from: "someone", tags: [Tag("Action", "Add")], data: "10")
        #expect(result.error == nil)
        #expect(result.messages.contains { $0.tags.contains(Tag("Action", "Added")) && $0.data == "13" })
        #expect(try await h.value(p, "Count") == "3")
        #expect(try h.node.ledger.chainHead(of: p)?.slot == head)
        #expect(try h.node.ledger.publicValue(of: p, key: "count")?.value == "3")
        let peek = try await h.node.dryRun(p, from: "someone", tags: [Tag("Action", "Peek")])
        #expect(peek.output.contains("count is 3"))
        let failing = try await h.node.dryRun(p, from: "someone", tags: [Tag("Action", "Fail")])
        #expect(failing.error?.contains("refused") == true)
        #expect(try await h.value(p, "Count") == "3")
        // The next real message continues as if no dry run happened.
        let next = try await h.send(p, "Add", data: "1")
        #expect(next.slot == (head ?? 0) + 1)
        #expect(try await h.value(p, "Count") == "4")
        await #expect(throws: NodeError.unknownProcess("nope")) {
            try await h.node.dryRun("nope", from: "x", tags: [])
        }
    }

    @Test func theObserverHearsEveryDurableSlotInOrder() async throws {
        final class Heard: @unchecked Sendable {
            let lock = NSLock()
            var slots: [String: [Int64]] = [:]
        }
        let heard = Heard()
        let h = try NodeHarness { configuration in
            configuration.onCommit = { committed in
                heard.lock.withLock { for c in committed { heard.slots[c.process, default: []].append(c.slot) } }
            }
        }
        let p = try await h.spawn(Self.counter)
        for _ in 0..<20 { try await h.send(p, "Add", data: "1") }
        try await h.node.waitUntilIdle()
        let slots = heard.lock.withLock { heard.slots[p] ?? [] }
        #expect(slots == Array(0...20))
    }
}
