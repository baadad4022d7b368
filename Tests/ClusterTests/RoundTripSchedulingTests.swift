import EventLoop
import Foundation
import Testing
@testable import Cluster
import Ledger

/// The round-trip path: a message between two local processes runs in the same run of
/// turns, yet a third process still gets its turn; cross-shard ping-pong and the
/// ledger-off completions keep every slot in order; the shortcuts on the path (emitted
/// ids, the patch check) give what the general code gives.
@Suite(.serialized) struct RoundTripSchedulingTests {
    static let pinger = """
        Left = 0
        Handlers.add('Start', 'Start', function(msg) Left = tonumber(msg.Count); Send({ Target = msg.To, Action = 'Ping' }) end)
        Handlers.add('Pong', 'Pong', function(msg)
          Left = Left - 1
          if Left > 0 then Send({ Target = msg.From, Action = 'Ping' }) end
        end)
        """
    static let ponger = "Handlers.add('Ping', 'Ping', function(msg) Send({ Target = msg.From, Action = 'Pong' }) end)"
    static let counter = "Hits = 0\nHandlers.add('Hit', 'Hit', function() Hits = Hits + 1 end)"

    /// Every evaluation, in the order the node ran them.
    final class Evaluations: @unchecked Sendable {
        let log = Locked<[(process: String, slot: Int64)]>([])
        func record(_ process: String, _ slot: Int64) { log.withLock { $0.append((process, slot)) } }
        var all: [(process: String, slot: Int64)] { log.withLock { $0 } }
        func slots(of process: String) -> [Int64] { all.filter { $0.process == process }.map(\.slot) }
    }

    /// Pushes a Hit to `target` from the shard's own thread once `pinger` reaches `slot`:
    /// the push waits in the shard's queue, which only a loop poll reads.
    final class PushDuringExchange: @unchecked Sendable {
        let lock = NSLock()
        var node: Node?
        var pinger = "", target = ""
        let slot: Int64 = 100

        func evaluated(_ process: String, _ slot: Int64) {
            let node = lock.withLock { process == pinger && slot == self.slot ? self.node : nil }
            node?.push(to: target, from: NodeHarness.owner, tags: [Tag("Action", "Hit")]) { _ in }
        }
    }

    /// A ping-pong of `trips` on one shard, and a push to a third process sent from
    /// inside the exchange: it must be taken before the exchange ends.
    private func pingPongBesideAThirdProcess(durable: Bool) async throws {
        let evaluations = Evaluations()
        let trigger = PushDuringExchange()
        let h = try NodeHarness { configuration in
            configuration.shards = 1
            configuration.durable = durable
            configuration.onEvaluate = {
                evaluations.record($0, $1)
                trigger.evaluated($0, $1)
            }
        }
        let a = try await h.spawn(Self.pinger)
        let b = try await h.spawn(Self.ponger)
        let c = try await h.spawn(Self.counter)
        trigger.lock.withLock { (trigger.node, trigger.pinger, trigger.target) = (h.node, a, c) }
        let trips = 3_000
        try await h.send(a, "Start", tags: [Tag("Count", String(trips)), Tag("To", b)])
        try await h.node.waitUntilIdle()
        #expect(try await h.value(a, "Left") == "0")
        #expect(try await h.value(c, "Hits") == "1")
        // Exactly once, in slot order: spawn, Start, then every Pong; spawn, then every Ping.
        #expect(evaluations.slots(of: a) == Array(0...Int64(trips + 1)))
        #expect(evaluations.slots(of: b) == Array(0...Int64(trips)))
        if durable {   // records built at submission: the whole exchange is logged, chained, with its results
            #expect(try h.node.ledger.chainHead(of: a)?.slot == Int64(trips + 1))
            #expect(try h.node.ledger.verify(process: a).isValid)
            #expect(try h.node.ledger.verify(process: b).isValid)
        }
        // Fairness: the third process ran while the exchange was still going (each
        // run of turns lasts 2 ms at most, the exchange far longer).
        let all = evaluations.all
        let hit = try #require(all.firstIndex { $0.process == c && $0.slot == 1 })
        let lastPong = try #require(all.lastIndex { $0.process == a })
        #expect(hit < lastPong)
    }

    @Test func aLocalExchangeLeavesRoomForAThirdProcess() async throws {
        try await pingPongBesideAThirdProcess(durable: true)
    }

    @Test func aLocalExchangeLeavesRoomForAThirdProcessWithTheLedgerOff() async throws {
        try await pingPongBesideAThirdProcess(durable: false)
    }

    /// A pinger and a ponger on two shards, with and without the spin after work.
    private func pingPongAcrossShards(durable: Bool, spin: Duration) async throws {
        let evaluations = Evaluations()
        let h = try NodeHarness { configuration in
            configuration.shards = 2
            configuration.durable = durable
            configuration.spinAfterWork = spin
            configuration.onEvaluate = { evaluations.record($0, $1) }
        }
        let a = try await h.spawn(Self.pinger)
        var b = ""
        for nonce in 0... {
            b = Node.spawnID(source: Self.ponger, owner: NodeHarness.owner, nonce: "pong-\(nonce)")
            if h.node.shardIndex(of: b) != h.node.shardIndex(of: a) {
                _ = try await h.node.spawn(module: Self.ponger, owner: NodeHarness.owner, nonce: "pong-\(nonce)")
                break
            }
        }
        let trips = 500
        try await h.send(a, "Start", tags: [Tag("Count", String(trips)), Tag("To", b)])
        try await h.node.waitUntilIdle()
        #expect(try await h.value(a, "Left") == "0")
        #expect(evaluations.slots(of: a) == Array(0...Int64(trips + 1)))
        #expect(evaluations.slots(of: b) == Array(0...Int64(trips)))
        if durable {
            #expect(try h.node.ledger.chainHead(of: a)?.slot == Int64(trips + 1))
            #expect(try h.node.ledger.chainHead(of: b)?.slot == Int64(trips))
        }
    }

    @Test func aPingPongAcrossShardsIsExactlyOnceAndInOrder() async throws {
        try await pingPongAcrossShards(durable: true, spin: .microseconds(200))
        try await pingPongAcrossShards(durable: false, spin: .microseconds(200))
        try await pingPongAcrossShards(durable: true, spin: .zero)
    }

    /// With the ledger off, batches complete on the shard's own loop: every push is
    /// still answered, in slot order, and the node goes idle and stops.
    @Test func ledgerOffCompletionsAnswerEveryPushInOrder() async throws {
        let h = try NodeHarness { $0.durable = false; $0.shards = 2 }
        let c = try await h.spawn(Self.counter)
        let receipts = try await withThrowingTaskGroup(of: PushReceipt.self) { group in
            for _ in 0..<200 { group.addTask { try await h.send(c, "Hit") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.map(\.slot).sorted() == Array(1...200))
        try await h.node.waitUntilIdle()
        #expect(try await h.value(c, "Hits") == "200")
    }

    @Test func derivedIDsKeepTheirValues() {
        // Length-prefixed parts hashed with SHA-256 (values computed independently).
        #expect(Identifiers.derive("message", "p", "0", "0") == "5SsfJiCk_gDJiSnAq3aC1RTZLavQPuGBgR6iQ1TmuxY")
        #expect(Identifiers.derive("message", "prozeß-ü", String(Int64.max), "1000000")
                == "CrgkrPFjogsbMaTvqXwJzojZO8MkFFn23fDDpcGlTxM")
    }

    @Test func onlyADeviceTagWithThePatchValueMakesAPatch() {
        for name in ["device", "Device", "DEVICE", "dEvIcE", "devices", "devic", "", "Dévice", "Action", "dev1ce"] {
            for value in [PublicState.device, "patch@2.0"] {
                let message = OutboundMessage(target: "t", tags: [Tag("Action", "A"), Tag(name, value)], data: "")
                #expect(message.isPatch == (value == PublicState.device && name.lowercased() == "device"), "\(name)=\(value)")
            }
        }
    }
}
