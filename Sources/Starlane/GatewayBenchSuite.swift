import Client
import Cluster
import Foundation
import Gateway
import HTTP
import Identity

/// `starlane bench http`: N concurrent keep-alive clients, each with its own key, pushing
/// signed messages over loopback to a node's gateway in this process; beside it, the same
/// pushes through the node's in-process API with the same concurrency, in the same run.
enum GatewayBenchSuite {
    static let clients = 16

    struct Measured {
        var seconds: Double
        var latencies: [Double]
        /// Process CPU (client + gateway + node) over the window, if measured.
        var cpuSeconds: Double = 0
        var rate: Double { Double(latencies.count) / seconds }
        func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1e6
        }
    }

    static func http(scale: Double) throws -> [BenchRow] {
        let perClient = max(20, Int(1_000 * scale))
        let threads = try measureHTTP(perClient: perClient, client: .threads)
        let overHTTP = try measureHTTP(perClient: perClient, client: .loop)
        let inProcess = try measureInProcess(perClient: perClient)
        func row(_ figure: String, _ value: Double, _ unit: String, _ base: Double, _ baseName: String = "in-process") -> BenchRow {
            BenchRow(suite: "http", figure: figure, value: value, unit: unit, baselineName: baseName, baseline: base)
        }
        let earlier = "thread/conn client, on-loop checks"
        return [
            row("signed pushes/s (\(clients) clients)", overHTTP.rate, "msg/s", inProcess.rate),
            row("push latency p50", overHTTP.percentile(0.5), "µs", inProcess.percentile(0.5)),
            row("push latency p99", overHTTP.percentile(0.99), "µs", inProcess.percentile(0.99)),
            row("signed pushes/s (\(clients) clients)", overHTTP.rate, "msg/s", threads.rate, earlier),
            row("push latency p50", overHTTP.percentile(0.5), "µs", threads.percentile(0.5), earlier),
            row("process CPU per push", overHTTP.cpuSeconds / Double(overHTTP.latencies.count) * 1e6, "µs",
                threads.cpuSeconds / Double(threads.latencies.count) * 1e6, earlier),
        ]
    }

    /// Each client pushes to its own process (as players do), so the figure is the
    /// gateway + node path, not one mailbox. `.loop`: every client a connection of one
    /// event-loop thread, bodies signed before the clock (the signing is in the
    /// `bank` suite's client row); `.threads`: the earlier client, a thread and a
    /// blocking `StarlaneClient` each, signing in the clock, gateway checks on its loop.
    static func measureHTTP(perClient: Int, client: BankHTTPBench.Client) throws -> Measured {
        try withGateway(checkThreads: client == .loop ? nil : 0) { url in
            let keys = (0..<clients).map { _ in ClientKey() }
            let targets = try keys.map { key in
                try StarlaneClient(server: url, key: key).spawn(source: ClusterBench.counter).process
            }
            if client == .loop {
                let plans = try (0..<clients).map { index in
                    try HTTPPushLoad.sign(key: keys[index], process: targets[index], count: perClient) { n in
                        ("h\(n)", [("Action", "Hit")], "")
                    }
                }
                let server = try HTTPURL(url)
                let outcome = try HTTPPushLoad.run(host: server.host, port: server.port, plans: plans, depth: 1)
                if let first = outcome.failures.first {
                    throw RunnerError("http bench: \(outcome.failures.count) pushes failed; first: \(first)")
                }
                return Measured(seconds: outcome.seconds, latencies: outcome.latencies, cpuSeconds: outcome.cpuSeconds)
            }
            let latencies = LatencyLog(count: clients)
            let done = DispatchGroup()
            let cpuStart = CPUClock.process()
            let start = ContinuousClock.now
            for index in 0..<clients {
                done.enter()
                let thread = Thread {
                    defer { done.leave() }
                    guard let client = try? StarlaneClient(server: url, key: keys[index]) else { return }
                    for _ in 0..<perClient {
                        let began = ContinuousClock.now
                        guard (try? client.push(to: targets[index], tags: [ClientTag("Action", "Hit")])) != nil else { return }
                        latencies.add(index, (ContinuousClock.now - began).seconds)
                    }
                }
                thread.start()
            }
            done.wait()
            let seconds = (ContinuousClock.now - start).seconds
            let cpu = CPUClock.process() - cpuStart
            let all = latencies.all
            guard all.count == clients * perClient else {
                throw RunnerError("http bench: \(clients * perClient - all.count) pushes failed")
            }
            return Measured(seconds: seconds, latencies: all, cpuSeconds: cpu)
        }
    }

    static func measureInProcess(perClient: Int) throws -> Measured {
        try ClusterBench.blocking {
            try await ClusterBench.withNode(durable: true) { node in
                var targets: [String] = []
                for _ in 0..<clients {
                    targets.append(try await node.spawn(module: ClusterBench.counter, owner: ClusterBench.owner).process)
                }
                let start = ContinuousClock.now
                let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                    for target in targets {
                        group.addTask {
                            var own: [Double] = []
                            for _ in 0..<perClient {
                                let began = ContinuousClock.now
                                _ = try await node.push(to: target, from: ClusterBench.owner, tags: [Tag("Action", "Hit")])
                                own.append((ContinuousClock.now - began).seconds)
                            }
                            return own
                        }
                    }
                    return try await group.reduce(into: [Double]()) { $0 += $1 }
                }
                return Measured(seconds: (ContinuousClock.now - start).seconds, latencies: latencies)
            }
        }
    }

    /// `checkThreads`: the gateway's check workers (nil: its default; 0: on its loop).
    static func withGateway<T>(checkThreads: Int? = nil, _ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let feed = CommitFeed()
        var configuration = NodeConfiguration(databasePath: directory.appendingPathComponent("bench.db").path)
        configuration.limits.instructionsPerCall = 0
        configuration.onCommit = feed.publish
        let node = try Node(configuration: configuration)
        try node.start()
        defer { node.stop() }
        var gatewayConfiguration = GatewayConfiguration()
        gatewayConfiguration.port = 0
        gatewayConfiguration.messagesPerSecondPerKey = 1e9
        gatewayConfiguration.messageBurstPerKey = 1e9
        if let checkThreads { gatewayConfiguration.checkThreads = checkThreads }
        let gateway = Gateway(node: node, feed: feed, configuration: gatewayConfiguration)
        let port = try gateway.start()
        defer { gateway.stop() }
        return try body("http://127.0.0.1:\(port)")
    }
}

/// Per-client latency lists, filled from several threads.
final class LatencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lists: [[Double]]

    init(count: Int) { lists = Array(repeating: [], count: count) }

    func add(_ client: Int, _ seconds: Double) { lock.withLock { lists[client].append(seconds) } }
    var all: [Double] { lock.withLock { lists.flatMap { $0 } } }
}
