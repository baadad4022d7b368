import Client
import Cluster
import Foundation
import HTTP
import Identity

/// The ledger-process bank over HTTP: `clients` keys, each paying from its own account
/// (the ledger's `From` is the signer), each over `connectionsPerClient` keep-alive
/// connections with one push in flight per connection. Everything goes through the
/// gateway in this process: the spawn, the Open, the transfers, the final Totals.
/// Latency: from sending a push until its durable answer is read.
///
/// Two clients, each against a fresh node in the same run: `loop` (one event-loop
/// thread for all 256 connections, bodies signed before the clock, gateway checks on
/// its worker threads) and `threads` (the earlier client: a thread and a blocking
/// `StarlaneClient` per connection, signing in the clock, gateway checks on its loop),
/// so the gain of both changes shows beside its own baseline.
enum BankHTTPBench {
    static let clients = 16
    static let connectionsPerClient = 16

    enum Client {
        case loop
        case threads
    }

    /// Figures of the last `run` that `BankBench.Run` has no place for (read by `rows`).
    nonisolated(unsafe) static var extras = Extras()

    struct Extras {
        /// The `threads` client's run, same sizes.
        var threadsRun: BankBench.Run?
        /// Client cost of the `loop` run: signing + encoding, µs per transfer (one thread).
        var signMicroseconds = 0.0
        /// A verification of the same messages on one thread, µs (what the gateway spends).
        var verifyMicroseconds = 0.0
        /// Process CPU (client + gateway + node) per transfer in the clock's window, µs.
        var loopCPUMicroseconds = 0.0
        var threadsCPUMicroseconds = 0.0
    }

    static func run(accounts count: Int, transfers: Int) throws -> BankBench.Run {
        extras = Extras()
        extras.threadsRun = try run(accounts: count, transfers: transfers, client: .threads)
        return try run(accounts: count, transfers: transfers, client: .loop)
    }

    static func run(accounts count: Int, transfers: Int, client: Client) throws -> BankBench.Run {
        let perConnection = max(1, transfers / (clients * connectionsPerClient))
        let sent = perConnection * clients * connectionsPerClient
        return try GatewayBenchSuite.withGateway(checkThreads: client == .loop ? nil : 0) { url in
            let keys = (0..<clients).map { _ in ClientKey() }
            let owner = try StarlaneClient(server: url, key: ClientKey())
            let ledger = try owner.spawn(source: BankModules.ledger).process
            // The clients' own addresses first: they are the payers.
            let accounts = keys.map(\.address)
                + (clients..<max(clients, count)).map { Identifiers.derive("bench-bank-account", String($0)) }
            let opened = try owner.push(to: ledger, tags: [ClientTag("Action", "Open")],
                                        data: accounts.joined(separator: ","), waitForResult: true)
            if let error = opened.result?.Error { throw RunnerError("bank bench over HTTP: Open failed: \(error)") }

            let cpuStart = CPUClock.process()
            let measured = switch client {
            case .threads:
                try pushConcurrently(url: url, ledger: ledger, keys: keys, accounts: accounts, perConnection: perConnection)
            case .loop:
                try pushFromLoop(url: url, ledger: ledger, keys: keys, accounts: accounts, perConnection: perConnection)
            }
            // The window's CPU: the loop client measures its own (after signing), the
            // thread client's window is the whole call.
            let cpu = client == .loop ? measured.cpuSeconds : CPUClock.process() - cpuStart
            switch client {
            case .loop: extras.loopCPUMicroseconds = cpu / Double(sent) * 1e6
            case .threads: extras.threadsCPUMicroseconds = cpu / Double(sent) * 1e6
            }
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
        var rows = [
            row("transfers/s", "/s") { $0.transfersPerSecond },
            row("acked p50", "ms") { $0.acked.p50 },
            row("acked p99", "ms") { $0.acked.p99 },
        ]
        if let threads = extras.threadsRun {
            rows.append(BenchRow(suite: "bank", figure: "\(figure): transfers/s", value: http.transfersPerSecond, unit: "/s",
                                 baselineName: "thread/conn client, on-loop checks", baseline: threads.transfersPerSecond))
            rows.append(BenchRow(suite: "bank", figure: "\(figure): acked p50", value: http.acked.p50, unit: "ms",
                                 baselineName: "thread/conn client, on-loop checks", baseline: threads.acked.p50))
            rows.append(BenchRow(suite: "bank", figure: "\(figure): process CPU/transfer", value: extras.loopCPUMicroseconds,
                                 unit: "µs", baselineName: "thread/conn client, on-loop checks",
                                 baseline: extras.threadsCPUMicroseconds))
        }
        rows.append(BenchRow(suite: "bank", figure: "HTTP client: sign + encode, before clock", value: extras.signMicroseconds,
                             unit: "µs/transfer", baselineName: "verify, one thread", baseline: extras.verifyMicroseconds))
        return rows
    }

    /// All connections on one client loop thread, one push in flight each; the bodies
    /// are signed first (timed apart: `extras.signMicroseconds`).
    static func pushFromLoop(url: String, ledger: String, keys: [ClientKey], accounts: [String],
                             perConnection: Int) throws -> GatewayBenchSuite.Measured {
        let connections = clients * connectionsPerClient
        let signStart = ContinuousClock.now
        let plans = try (0..<connections).map { connection in
            let client = connection % clients
            let plan = PlannedTransfer.random(count: perConnection, accounts: accounts.count,
                                              payers: client..<client + 1, seed: BankBench.seed + UInt64(connection))
            return try HTTPPushLoad.sign(key: keys[client], process: ledger, count: plan.count) { n in
                ("c\(connection).\(n)", transferTags(to: accounts[plan[n].payee], plan[n]).map { ($0.name, $0.value) }, "")
            }
        }
        let total = plans.reduce(0) { $0 + $1.bodies.count }
        extras.signMicroseconds = (ContinuousClock.now - signStart).seconds / Double(max(1, total)) * 1e6
        extras.verifyMicroseconds = verifyCost(key: keys[0], process: ledger)
        let server = try HTTPURL(url)
        let outcome = try HTTPPushLoad.run(host: server.host, port: server.port, plans: plans, depth: 1)
        if let first = outcome.failures.first {
            throw RunnerError("bank bench over HTTP: \(outcome.failures.count) pushes failed; first: \(first)")
        }
        return GatewayBenchSuite.Measured(seconds: outcome.seconds, latencies: outcome.latencies, cpuSeconds: outcome.cpuSeconds)
    }

    /// µs to verify one signed transfer on one thread (a sample of 200).
    static func verifyCost(key: ClientKey, process: String) -> Double {
        let messages = (0..<200).compactMap { n -> SignedMessage? in
            var message = SignedMessage(kind: .push, target: process, nonce: "v\(n)",
                                        tags: [.init("Action", "Transfer"), .init("Quantity", "3")])
            return (try? key.sign(&message)).map { message }
        }
        let start = ContinuousClock.now
        for message in messages { _ = try? message.verify() }
        return (ContinuousClock.now - start).seconds / Double(max(1, messages.count)) * 1e6
    }

    /// The earlier client: one thread per connection. Each connects first (GET /~info), then all start
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
