import Client
import Cluster
import Foundation
import Gateway
import Identity

/// `starlane bench http`: N concurrent keep-alive clients, each with its own key, pushing
/// signed messages over loopback to a node's gateway in this process; beside it, the same
/// pushes through the node's in-process API with the same concurrency, in the same run.
enum GatewayBenchSuite {
    static let clients = 16

    struct Measured {
        var seconds: Double
        var latencies: [Double]
        var rate: Double { Double(latencies.count) / seconds }
        func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1e6
        }
    }

    static func http(scale: Double) throws -> [BenchRow] {
        let perClient = max(20, Int(1_000 * scale))
        let overHTTP = try measureHTTP(perClient: perClient)
        let inProcess = try measureInProcess(perClient: perClient)
        func row(_ figure: String, _ value: Double, _ unit: String, _ base: Double) -> BenchRow {
            BenchRow(suite: "http", figure: figure, value: value, unit: unit, baselineName: "in-process", baseline: base)
        }
        return [
            row("signed pushes/s (\(clients) clients)", overHTTP.rate, "msg/s", inProcess.rate),
            row("push latency p50", overHTTP.percentile(0.5), "µs", inProcess.percentile(0.5)),
            row("push latency p99", overHTTP.percentile(0.99), "µs", inProcess.percentile(0.99)),
        ]
    }

    /// Each client pushes to its own process (as players do), so the figure is the
    /// gateway + node path, not one mailbox.
    static func measureHTTP(perClient: Int) throws -> Measured {
        try withGateway { url in
            let keys = (0..<clients).map { _ in ClientKey() }
            let targets = try keys.map { key in
                try StarlaneClient(server: url, key: key).spawn(source: ClusterBench.counter).process
            }
            let latencies = LatencyLog(count: clients)
            let done = DispatchGroup()
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
            let all = latencies.all
            guard all.count == clients * perClient else {
                throw RunnerError("http bench: \(clients * perClient - all.count) pushes failed")
            }
            return Measured(seconds: seconds, latencies: all)
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

    static func withGateway<T>(_ body: (String) throws -> T) throws -> T {
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
