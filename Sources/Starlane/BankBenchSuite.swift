import Cluster
import Foundation

/// `starlane bench bank`: random transfers between N accounts (100 at scale 1), every
/// transfer durable, in two shapes of bank, then over HTTP:
///
/// - accounts as processes: a transfer is a push to the payer's process, which debits
///   and sends a Credit to the payee's process. "acked" latency: push until the
///   payer's debit is durable and answered; "credited": push until the payee's Credit
///   slot is durable. Throughput: transfers ÷ (first push → last credit durable).
/// - one ledger process holding every balance: a transfer is one push. Latency: push
///   until durable and answered. Throughput: transfers ÷ (first push → last answer).
/// - the ledger process over HTTP (BankHTTPBench): signed pushes from concurrent clients.
///
/// In-cluster runs keep `inFlight` pushes outstanding; their baseline is the same run
/// with the ledger off. Each run ends by checking that the money is conserved and that
/// every transfer sent was applied exactly once, and throws if not.
enum BankBench {
    static let inFlight = 256
    static let seed: UInt64 = 2_024

    /// Transfers per second, and latency percentiles.
    struct Run {
        var transfersPerSecond: Double
        var acked: LatencyPercentiles
        /// Accounts as processes only: until the payee's Credit is durable.
        var credited: LatencyPercentiles?
    }

    static func bank(scale: Double) throws -> [BenchRow] {
        let accounts = max(20, Int(100 * scale))
        let transfers = max(500, Int(20_000 * scale))
        let processes = try [true, false].map { durable in
            try ClusterBench.blocking { try await accountsRun(durable: durable, accounts: accounts, transfers: transfers) }
        }
        let ledger = try [true, false].map { durable in
            try ClusterBench.blocking { try await ledgerRun(durable: durable, accounts: accounts, transfers: transfers) }
        }
        let http = try BankHTTPBench.run(accounts: accounts, transfers: transfers)
        return rows("\(accounts) account procs", durable: processes[0], ledgerOff: processes[1])
            + rows("1 ledger proc", durable: ledger[0], ledgerOff: ledger[1])
            + BankHTTPBench.rows(http, inCluster: ledger[0])
    }

    static func rows(_ bank: String, durable: Run, ledgerOff: Run) -> [BenchRow] {
        func row(_ figure: String, _ unit: String, _ value: (Run) -> Double) -> BenchRow {
            BenchRow(suite: "bank", figure: "\(bank): \(figure)", value: value(durable), unit: unit,
                     baselineName: "ledger off", baseline: value(ledgerOff))
        }
        var rows = [
            row("transfers/s", "/s") { $0.transfersPerSecond },
            row("acked p50", "ms") { $0.acked.p50 },
            row("acked p99", "ms") { $0.acked.p99 },
        ]
        if durable.credited != nil {
            rows += [
                row("credited p50", "ms") { $0.credited!.p50 },
                row("credited p99", "ms") { $0.credited!.p99 },
            ]
        }
        return rows
    }

    // MARK: - Accounts as processes

    static func accountsRun(durable: Bool, accounts count: Int, transfers: Int) async throws -> Run {
        let credits = CommitTimes(action: "Credit")
        return try await ClusterBench.withNode(durable: durable, configure: { $0.onCommit = credits.observer }) { node in
            let accounts = try await spawnAccounts(node, count: count)
            let plan = PlannedTransfer.random(count: transfers, accounts: count, seed: seed)
            let outcome = try await TransferDriver.run(count: transfers, inFlight: inFlight) { index, done in
                let transfer = plan[index]
                node.push(to: accounts[transfer.payer], from: ClusterBench.owner,
                          tags: transferTags(to: accounts[transfer.payee], transfer), completion: done)
            }
            try await node.waitUntilIdle()
            var totals = BankTotals()
            for account in accounts { totals = totals + (try await readTotals(node, account)) }
            try totals.check("accounts", accounts: count, sent: transfers)

            let landed = try creditTimes(outcome, credits)
            return Run(transfersPerSecond: Double(transfers) / (landed.max()! - outcome.firstPush).seconds,
                       acked: LatencyPercentiles(seconds: outcome.ackLatencies),
                       credited: LatencyPercentiles(seconds: zip(outcome.pushed, landed).map { ($1 - $0).seconds }))
        }
    }

    /// When each transfer's Credit became durable. The Credit is the first message
    /// its debit slot emits, so its id is the node's id for output 0 of that slot.
    static func creditTimes(_ outcome: TransferDriver.Outcome, _ credits: CommitTimes) throws -> [ContinuousClock.Instant] {
        try outcome.receipts.enumerated().map { index, receipt in
            guard let receipt,
                  let landed = credits.time(of: Identifiers.derive("message", receipt.process, String(receipt.slot), "0"))
            else { throw RunnerError("bank bench: the credit of transfer \(index) was never seen durable") }
            return landed
        }
    }

    static func spawnAccounts(_ node: Node, count: Int) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<count {
                group.addTask { try await node.spawn(module: BankModules.account, owner: ClusterBench.owner).process }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    // MARK: - One ledger process

    static func ledgerRun(durable: Bool, accounts count: Int, transfers: Int) async throws -> Run {
        try await ClusterBench.withNode(durable: durable) { node in
            let ledger = try await node.spawn(module: BankModules.ledger, owner: ClusterBench.owner).process
            let accounts = (0..<count).map { Identifiers.derive("bench-bank-account", String($0)) }
            let opened = try await node.push(to: ledger, from: ClusterBench.owner, tags: [Tag("Action", "Open")],
                                             data: accounts.joined(separator: ","))
            if let error = opened.result.error { throw RunnerError("bank bench: Open failed: \(error)") }
            let plan = PlannedTransfer.random(count: transfers, accounts: count, seed: seed)
            let outcome = try await TransferDriver.run(count: transfers, inFlight: inFlight) { index, done in
                let transfer = plan[index]
                node.push(to: ledger, from: accounts[transfer.payer],
                          tags: transferTags(to: accounts[transfer.payee], transfer), completion: done)
            }
            try await node.waitUntilIdle()
            try await readTotals(node, ledger).check("ledger process", accounts: count, sent: transfers)
            return Run(transfersPerSecond: Double(transfers) / (outcome.lastAck - outcome.firstPush).seconds,
                       acked: LatencyPercentiles(seconds: outcome.ackLatencies), credited: nil)
        }
    }

    // MARK: - Shared

    static func transferTags(to payee: String, _ transfer: PlannedTransfer) -> [Tag] {
        [Tag("Action", "Transfer"), Tag("Recipient", payee), Tag("Quantity", String(transfer.amount))]
    }

    /// A bank's `Totals`, by a dry run against its durable state.
    static func readTotals(_ node: Node, _ process: String) async throws -> BankTotals {
        let result = try await node.dryRun(process, from: ClusterBench.owner, tags: [Tag("Action", "Totals")])
        return try BankTotals(answer: result.messages.first?.data)
    }
}
