import Foundation

/// A throughput probe for `starlane bench`: not a test, and not run by the test suite.
public enum LedgerBenchmark {
    /// Appends `rows` entries (each with a small result) to a fresh ledger in a temporary
    /// directory, in batches of `batchSize` spread over `processes` processes, and returns
    /// the durable rate in rows per second: from the first submit to the last completion.
    /// Building the records (and their hash links, the cluster's work) is not timed; the
    /// writer's own checks, including recomputing every link, are.
    public static func appendRate(rows: Int, batchSize: Int = 1_000, processes: Int = 64,
                                  durability: LedgerConfiguration.Durability = .full) throws -> Double {
        try withFreshLedger(rows: rows, batchSize: batchSize, processes: processes, durability: durability) { ledger, batches in
            try timeSubmissions(batches, to: ledger)
        }
    }

    private static func timeSubmissions(_ batches: [LedgerBatch], to ledger: Ledger) throws -> Double {
        let rows = batches.reduce(0) { $0 + $1.count }
        let failures = Locked(0)
        let start = DispatchTime.now().uptimeNanoseconds
        let completion: LedgerCompletion = { result in
            if case .failure = result { failures.withLock { $0 += 1 } }
        }
        for batch in batches {
            while !submit(batch, to: ledger, completion) {
                usleep(100)
            }
        }
        ledger.flush()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let failed = failures.withLock { $0 }
        if failed > 0 {
            throw LedgerError.invalidRecord("\(failed) benchmark batches failed")
        }
        return Double(rows) / seconds
    }

    /// The same rows inserted by one prepared statement in transactions of `batchSize`
    /// on the ledger's own schema and settings, without the writer: no queue, no chain
    /// checks, no signatures. What SQLite alone costs for the appends `appendRate` times.
    public static func rawInsertRate(rows: Int, batchSize: Int = 1_000, processes: Int = 64,
                                     durability: LedgerConfiguration.Durability = .full) throws -> Double {
        try withFreshLedger(rows: rows, batchSize: batchSize, processes: processes, durability: durability) { ledger, batches in
            try timeInserts(batches, into: ledger)
        }
    }

    private static func timeInserts(_ batches: [LedgerBatch], into ledger: Ledger) throws -> Double {
        let rows = batches.reduce(0) { $0 + $1.count }
        let start = DispatchTime.now().uptimeNanoseconds
        for batch in batches {
            try ledger.pool.write { db in
                let insert = try RawStatement(db, SQL.insertAssignment)
                var scratch: [UInt8] = []
                for case .append(let record, let result) in batch.writes {
                    SQL.bind(record, result: result, to: insert, signature: Data(), scratch: &scratch)
                    _ = try insert.execute()
                }
            }
        }
        return Double(rows) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// A ledger in a fresh temporary directory with the workload's processes made, and
    /// the workload's batches: `body` times what it does with them.
    private static func withFreshLedger(rows: Int, batchSize: Int, processes: Int,
                                        durability: LedgerConfiguration.Durability,
                                        _ body: (Ledger, [LedgerBatch]) throws -> Double) throws -> Double {
        precondition(rows > 0 && batchSize > 0 && processes > 0, "the benchmark needs work to do")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("starlane-ledger-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = LedgerConfiguration(durability: durability)
        configuration.maxPendingWrites = max(batchSize * 16, 65_536)
        let ledger = try Ledger(path: directory.appendingPathComponent("bench.db").path, configuration: configuration)
        defer { ledger.close() }
        let (setup, batches) = workload(rows: rows, batchSize: batchSize, processes: processes)
        try ledger.write(setup)
        return try body(ledger, batches)
    }

    /// The module and processes to create, then the appends (each with a small result)
    /// in batches, round-robin over the processes, every second one with an origin.
    private static func workload(rows: Int, batchSize: Int, processes: Int) -> (LedgerBatch, [LedgerBatch]) {
        let module = ModuleRecord(id: "bench-module", source: "return {}")
        var setup = LedgerBatch([.module(module)])
        var heads: [(id: String, next: Int64, previous: Data)] = []
        for p in 0..<processes {
            let process = ProcessRecord(id: String(format: "bench-process-%04d", p), moduleID: module.id,
                                        owner: "bench-owner", tags: [TagRecord("Name", "p\(p)")], createdAt: 0)
            setup.append(.process(process))
            heads.append((process.id, 0, HashChain.genesis(of: process)))
        }

        var batches: [LedgerBatch] = []
        var batch = LedgerBatch()
        batch.writes.reserveCapacity(batchSize)
        for row in 0..<rows {
            let p = row % processes
            let (id, slot, previous) = heads[p]
            let origin = row % 2 == 0 ? MessageOrigin(process: heads[(p + 1) % processes].id,
                                                      slot: Int64(row), index: 0) : nil
            let record = AssignmentRecord(
                process: id, slot: slot, messageID: "bench-message-\(row)", from: "bench-sender",
                owner: "bench-owner",
                tags: [TagRecord("Action", "Move"), TagRecord("Data-Protocol", "ao"),
                       TagRecord("Variant", "ao.TN.1"), TagRecord("Type", "Message")],
                data: #"{"x":12,"y":-7,"fleet":"f-1234","speed":3}"#, timestamp: 1_700_000_000_000 + Int64(row),
                origin: origin, previousHash: previous)
            let result = ResultRecord(process: id, slot: slot, output: "", messages: "[]", spawns: "[]")
            batch.append(.append(record, result: result))
            heads[p] = (id, slot + 1, record.hashChain)
            if batch.count == batchSize {
                batches.append(batch)
                batch = LedgerBatch()
                batch.writes.reserveCapacity(batchSize)
            }
        }
        if !batch.isEmpty { batches.append(batch) }
        return (setup, batches)
    }

    /// False when the queue is full (back-pressure: the caller waits and retries).
    private static func submit(_ batch: LedgerBatch, to ledger: Ledger,
                               _ completion: @escaping LedgerCompletion) -> Bool {
        do {
            try ledger.submit(batch, completion: completion)
            return true
        } catch {
            if case .queueFull = error { return false }
            preconditionFailure("benchmark submit failed: \(error)")
        }
    }
}
