import Cluster
import Foundation
import EventLoop
import Ledger

/// Suites that run a whole node: one-way sends, ping-pong, recovery.
enum ClusterBench {
    static let owner = Identifiers.derive("starlane", "bench")

    static let sender = """
        Handlers.add('Go', 'Go', function(msg)
          for i = 1, tonumber(msg.Count) do Send({ Target = msg.To, Action = 'Hit', Data = tostring(i) }) end
        end)
        """
    static let counter = "Hits = 0\nHandlers.add('Hit', 'Hit', function() Hits = Hits + 1 end)"
    static let pinger = """
        Left = 0
        Handlers.add('Start', 'Start', function(msg) Left = tonumber(msg.Count); Send({ Target = msg.To, Action = 'Ping' }) end)
        Handlers.add('Pong', 'Pong', function(msg)
          Left = Left - 1
          if Left > 0 then Send({ Target = msg.From, Action = 'Ping' }) end
        end)
        """
    static let ponger = "Handlers.add('Ping', 'Ping', function(msg) Send({ Target = msg.From, Action = 'Pong' }) end)"

    static func withNode<T>(durable: Bool, snapshotEvery: Int64 = 1_000, path: String? = nil,
                            configure: (inout NodeConfiguration) -> Void = { _ in },
                            _ body: (Node) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if path == nil { try? FileManager.default.removeItem(at: directory) } }
        var configuration = NodeConfiguration(databasePath: path ?? directory.appendingPathComponent("bench.db").path)
        configuration.durable = durable
        configuration.snapshotEvery = snapshotEvery
        configuration.limits.instructionsPerCall = 0
        configure(&configuration)
        let node = try Node(configuration: configuration)
        try node.start()
        defer { node.stop() }
        return try await body(node)
    }

    /// Spawns `source` on the shard of `process`, or on another one. Left to chance (a
    /// spawn's id, which fixes its shard, takes a random nonce), two processes share a
    /// shard in half the runs of a two-shard node: a bench would mix two figures.
    static func spawn(_ source: String, on node: Node, besides process: String, sameShard: Bool) async throws -> String {
        func nonce(_ n: Int) -> String { "placed-\(n)" }
        var n = 0
        while (node.shardIndex(of: Node.spawnID(source: source, owner: owner, nonce: nonce(n)))
               == node.shardIndex(of: process)) != sameShard { n += 1 }
        return try await node.spawn(module: source, owner: owner, nonce: nonce(n)).process
    }

    /// Wall and CPU seconds (all threads) for `count` one-way messages from one process
    /// to another on the same shard or on two shards.
    static func sendSeconds(durable: Bool, sameShard: Bool, count: Int) async throws -> (wall: Double, cpu: Double)? {
        try await withNode(durable: durable) { node in
            guard sameShard || node.shardCount > 1 else { return nil }
            let a = try await node.spawn(module: sender, owner: owner).process
            let b = try await spawn(counter, on: node, besides: a, sameShard: sameShard)
            let start = ContinuousClock.now
            let cpuStart = CPUClock.process()
            _ = try await node.push(to: a, from: owner, tags: [Tag("Action", "Go"), Tag("Count", String(count)), Tag("To", b)])
            try await node.waitUntilIdle()
            let seconds = (ContinuousClock.now - start).seconds
            let cpu = CPUClock.process() - cpuStart
            guard try await node.inspect(b, "return tostring(Hits)") == String(count) else {
                throw RunnerError("send bench: not every message arrived")
            }
            return (seconds, cpu)
        }
    }

    /// Round trips between two processes on the same shard or on two shards:
    /// latencies (seconds) from the pinger's evaluations, one per returning Pong.
    static func roundTrips(durable: Bool, sameShard: Bool, trips: Int) async throws -> [Double] {
        let times = Locked<[ContinuousClock.Instant]>([])
        nonisolated(unsafe) var pingerID = ""
        return try await withNode(durable: durable, configure: { configuration in
            configuration.onEvaluate = { process, _ in
                if process == pingerID { times.withLock { $0.append(ContinuousClock.now) } }
            }
        }) { node in
            guard sameShard || node.shardCount > 1 else { return [] }
            let a = try await node.spawn(module: pinger, owner: owner).process
            pingerID = a
            let b = try await spawn(ponger, on: node, besides: a, sameShard: sameShard)
            times.withLock { $0.removeAll() }
            _ = try await node.push(to: a, from: owner, tags: [Tag("Action", "Start"), Tag("Count", String(trips)), Tag("To", b)])
            try await node.waitUntilIdle()
            guard try await node.inspect(a, "return tostring(Left)") == "0" else { throw RunnerError("pingpong: unfinished") }
            let stamps = times.withLock { $0 }
            // The first stamp is the Start message; each later one ends a round trip.
            return zip(stamps.dropFirst(), stamps.dropFirst(2)).map { ($1 - $0).seconds }
        }
    }

    static func send(scale: Double) throws -> [BenchRow] {
        let count = max(100, Int(20_000 * scale))
        var rows: [BenchRow] = []
        for sameShard in [true, false] {
            guard let durable = try blocking({ try await sendSeconds(durable: true, sameShard: sameShard, count: count) }),
                  let memory = try blocking({ try await sendSeconds(durable: false, sameShard: sameShard, count: count) })
            else { continue }
            let place = sameShard ? "same shard" : "two shards"
            rows += [BenchRow(suite: "send", figure: "one-way send, \(place), durable (msg/s)", value: Double(count) / durable.wall,
                              unit: "/s", baselineName: "ledger off", baseline: Double(count) / memory.wall),
                     // CPU moves less than wall time with the machine's other load.
                     BenchRow(suite: "send", figure: "CPU per message, \(place), all threads (µs)",
                              value: durable.cpu / Double(count) * 1e6, unit: "µs", baselineName: "ledger off",
                              baseline: memory.cpu / Double(count) * 1e6)]
        }
        return rows
    }

    static func pingpong(scale: Double) throws -> [BenchRow] {
        let trips = max(50, Int(2_000 * scale))
        var rows: [BenchRow] = []
        for sameShard in [true, false] {
            let durable = try blocking { try await roundTrips(durable: true, sameShard: sameShard, trips: trips) }
            let memory = try blocking { try await roundTrips(durable: false, sameShard: sameShard, trips: trips) }
            guard !durable.isEmpty, !memory.isEmpty else { continue }
            let place = sameShard ? "same shard" : "two shards"
            for (name, q) in [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)] {
                rows.append(BenchRow(suite: "pingpong", figure: "round trip \(name), \(place), durable (µs)",
                                     value: percentile(durable, q) * 1e6, unit: "µs",
                                     baselineName: "ledger off", baseline: percentile(memory, q) * 1e6))
            }
        }
        return rows
    }

    static func percentile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
    }

    /// Replay rate and restart time of a logged world, with and without snapshots.
    /// A restart registers every process from its log head without running it; each
    /// wakes (snapshot + replay of the tail) on first use. So three figures: the time
    /// until the node serves again, the time until every process has woken, and the
    /// replay rate of a wake that replays a whole log.
    static func replay(scale: Double) throws -> [BenchRow] {
        let count = max(1_000, Int(100_000 * scale))
        var rows: [BenchRow] = []
        var serving: [Bool: Double] = [:], woken: [Bool: Double] = [:]
        var liveRate = 0.0, replayRate = 0.0, logged = 0
        for snapshots in [false, true] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("world.db").path
            let every: Int64 = snapshots ? 1_000 : 0
            let liveStart = ContinuousClock.now
            let ids = try blocking {
                try await withNode(durable: true, snapshotEvery: every, path: path) { node in
                    let a = try await node.spawn(module: sender, owner: owner).process
                    // On two shards when there are two: the live baseline is then one figure.
                    let b = try await spawn(counter, on: node, besides: a, sameShard: node.shardCount < 2)
                    var left = count
                    while left > 0 {   // in chunks, so one result never holds the whole run
                        let chunk = min(left, 5_000)
                        _ = try await node.push(to: a, from: owner, tags: [Tag("Action", "Go"), Tag("Count", String(chunk)), Tag("To", b)])
                        left -= chunk
                    }
                    try await node.waitUntilIdle()
                    return [a, b]
                }
            }
            if !snapshots { liveRate = Double(count) / (ContinuousClock.now - liveStart).seconds }
            let start = ContinuousClock.now
            let (started, hits) = try blocking {
                try await withNode(durable: true, snapshotEvery: every, path: path) { node in
                    let started = ContinuousClock.now
                    for id in ids { _ = try await node.inspect(id, "return 1") }
                    return (started, try await node.inspect(ids[1], "return tostring(Hits)"))
                }
            }
            guard hits == String(count) else { throw RunnerError("replay: the woken counter says \(hits ?? "nil")") }
            serving[snapshots] = (started - start).seconds
            woken[snapshots] = (ContinuousClock.now - start).seconds
            if !snapshots {
                logged = try Ledger(path: path).counts().assignments
                replayRate = Double(logged) / (woken[false]! - serving[false]!)
            }
        }
        rows.append(BenchRow(suite: "replay", figure: "wake replaying \(logged) msgs (msg/s)", value: replayRate,
                             unit: "/s", baselineName: "live durable", baseline: liveRate))
        rows.append(BenchRow(suite: "replay", figure: "restart until serving (s)", value: serving[true]!,
                             unit: "s", baselineName: "without snapshots", baseline: serving[false]!))
        rows.append(BenchRow(suite: "replay", figure: "restart + every process woken (s)", value: woken[true]!,
                             unit: "s", baselineName: "without snapshots", baseline: woken[false]!))
        return rows
    }

    /// Runs async work from the synchronous bench command.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<T, Error>?
        Task {
            do { outcome = .success(try await work()) } catch { outcome = .failure(error) }
            semaphore.signal()
        }
        semaphore.wait()
        return try outcome!.get()
    }
}
