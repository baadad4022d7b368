import Client
import Cluster
import Foundation
import Identity

/// The ledger-process bank over HTTP: `clients` keys, each paying from its own account
/// (the ledger's `From` is the signer), each over `connectionsPerClient` keep-alive
/// connections with one push in flight per connection. Everything goes through the
/// gateway in this process: the spawn, the Open, the transfers, the final Totals.
/// Latency: from signing a push until its durable answer is read.
enum BankHTTPBench {
    static let clients = 16
    static let connectionsPerClient = 16

    static func run(accounts count: Int, transfers: Int) throws -> BankBench.Run {
        let perConnection = max(1, transfers / (clients * connectionsPerClient))
        let sent = perConnection * clients * connectionsPerClient
        return try GatewayBenchSuite.withGateway { url in
            let keys = (0..<clients).map { _ in ClientKey() }
            let owner = try StarlaneClient(server: url, key: ClientKey())
            let ledger = try owner.spawn(source: BankModules.ledger).process
            // The clients' own addresses first: they are the payers.
            let accounts = keys.map(\.address)
                + (clients..<max(clients, count)).map { Identifiers.derive("bench-bank-account", String($0)) }
            let opened = try owner.push(to: ledger, tags: [ClientTag("Action", "Open")],
                                        data: accounts.joined(separator: ","), waitForResult: true)
            if let error = opened.result?.Error { throw RunnerError("bank bench over HTTP: Open failed: \(error)") }

            let measured = try pushConcurrently(url: url, ledger: ledger, keys: keys, accounts: accounts,
                                                perConnection: perConnection)
            let totals = try owner.dryRun(ledger, tags: [ClientTag("Action", "Totals")])
            try BankTotals(answer: totals.Messages.first?.Data).check("ledger over HTTP", accounts: accounts.count, sent: sent)
            return BankBench.Run(transfersPerSecond: Double(sent) / measured.seconds,
                                 acked: LatencyPercentiles(seconds: measured.latencies), credited: nil)
        }
    }

    static func rows(_ http: BankBench.Run, inCluster: BankBench.Run) -> [BenchRow] {
        let figure = "HTTP \(clients)×\(connectionsPerClient) → ledger"
        func row(_ name: String, _ unit: String, _ value: (BankBench.Run) -> Double) -> BenchRow {
            BenchRow(suite: "bank", figure: "\(figure): \(name)", value: value(http), unit: unit,
                     baselineName: "1 ledger proc in-cluster", baseline: value(inCluster))
        }
        return [
            row("transfers/s", "/s") { $0.transfersPerSecond },
            row("acked p50", "ms") { $0.acked.p50 },
            row("acked p99", "ms") { $0.acked.p99 },
        ]
    }

    /// One thread per connection. Each connects first (GET /~info), then all start
    /// together; the clock runs from that start until the last answer.
    static func pushConcurrently(url: String, ledger: String, keys: [ClientKey], accounts: [String],
                                 perConnection: Int) throws -> GatewayBenchSuite.Measured {
        let connections = clients * connectionsPerClient
        let latencies = LatencyLog(count: connections)
        let failures = ErrorList()
        let ready = DispatchGroup()
        let done = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        for connection in 0..<connections {
            let client = connection % clients
            let plan = PlannedTransfer.random(count: perConnection, accounts: accounts.count,
                                              payers: client..<client + 1, seed: BankBench.seed + UInt64(connection))
            ready.enter()
            done.enter()
            Thread {
                defer { done.leave() }
                let session = try? StarlaneClient(server: url, key: keys[client])
                let connected = (try? session?.info()) != nil
                ready.leave()
                gate.wait()
                do {
                    guard let session, connected else { throw RunnerError("cannot connect") }
                    for (n, transfer) in plan.enumerated() {
                        let began = ContinuousClock.now
                        _ = try session.push(to: ledger, tags: transferTags(to: accounts[transfer.payee], transfer),
                                             nonce: "c\(connection).\(n)")
                        latencies.add(connection, (ContinuousClock.now - began).seconds)
                    }
                } catch {
                    failures.add("connection \(connection): \(error)")
                }
            }.start()
        }
        ready.wait()
        let start = ContinuousClock.now
        for _ in 0..<connections { gate.signal() }
        done.wait()
        let seconds = (ContinuousClock.now - start).seconds
        if let first = failures.all.first {
            throw RunnerError("bank bench over HTTP: \(failures.all.count) connections failed; first: \(first)")
        }
        return GatewayBenchSuite.Measured(seconds: seconds, latencies: latencies.all)
    }

    static func transferTags(to payee: String, _ transfer: PlannedTransfer) -> [ClientTag] {
        [ClientTag("Action", "Transfer"), ClientTag("Recipient", payee), ClientTag("Quantity", String(transfer.amount))]
    }
}

/// Errors reported from several threads.
private final class ErrorList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []

    func add(_ error: String) { lock.withLock { errors.append(error) } }
    var all: [String] { lock.withLock { errors } }
}
