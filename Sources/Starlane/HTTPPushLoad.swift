import Cluster
import EventLoop
import Foundation
import HTTP
import Identity

/// Signed pushes over HTTP from one event-loop thread: many keep-alive connections,
/// each with a fixed number of requests in flight (its next request leaves when an
/// answer comes back). A client per thread with a blocking call per push took a third
/// of the machine; this costs one thread. The bodies are signed before the clock
/// starts (`sign`, timed on its own by the callers) and the server still verifies each one.
enum HTTPPushLoad {
    /// One connection's pushes, signed and encoded: each a `POST` target and a body.
    struct Plan: Sendable {
        var target: String
        var bodies: [[UInt8]]
    }

    /// Signs and encodes `count` pushes; the JSON is the protocol's push body
    /// (docs/PROTOCOL.md), written by hand: key order and escaping are free.
    static func sign(key: ClientKey, process: String, count: Int,
                     message: (Int) -> (nonce: String, tags: [(String, String)], data: String)) throws -> Plan {
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(count)
        for n in 0..<count {
            let (nonce, tags, data) = message(n)
            var signed = SignedMessage(kind: .push, target: process, nonce: nonce,
                                       tags: tags.map { .init($0.0, $0.1) }, data: data)
            try key.sign(&signed)
            let tagList = tags.map { "{\"name\":\"\(HTTPResponse.escapeJSON($0.0))\",\"value\":\"\(HTTPResponse.escapeJSON($0.1))\"}" }
            let json = "{\"nonce\":\"\(HTTPResponse.escapeJSON(nonce))\",\"tags\":[\(tagList.joined(separator: ","))],"
                + "\"data\":\"\(HTTPResponse.escapeJSON(data))\",\"key\":\"\(signed.key)\",\"signature\":\"\(signed.signature)\"}"
            bodies.append(Array(json.utf8))
        }
        return Plan(target: "/\(process)/push", bodies: bodies)
    }

    struct Outcome {
        var seconds: Double
        /// Per push, from writing its request to reading its answer.
        var latencies: [Double]
        var failures: [String]
        /// CPU time of the whole process (client, gateway, node) over the clock's window.
        var cpuSeconds: Double
    }

    /// Connects one connection per plan, spread over `threads` client loops, then
    /// (clock started once every connection is up) sends every plan's bodies with
    /// `depth` in flight per connection, until all are answered. Any answer but 200
    /// is a failure.
    static func run(host: String, port: UInt16, plans: [Plan], depth: Int, threads: Int = 2) throws -> Outcome {
        let threads = max(1, min(threads, plans.count))
        let ready = DispatchGroup()
        let finished = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        let runs = Locked<[Run?]>(Array(repeating: nil, count: threads))
        for part in 0..<threads {
            let mine = stride(from: part, to: plans.count, by: threads).map { plans[$0] }
            ready.enter()
            finished.enter()
            let thread = Thread {
                defer { finished.leave() }
                guard let loop = try? Loop() else { return ready.leave() }
                let run = Run(loop: loop, plans: mine, depth: depth) {
                    // Every connection of this loop is up: wait for the others.
                    ready.leave()
                    gate.wait()
                }
                for index in mine.indices {
                    HTTPClientConnection.connect(loop: loop, host: host, port: port) { result in
                        run.connected(index, result)
                    }
                }
                _ = loop.run()
                try? loop.close()
                runs.withLock { $0[part] = run }
            }
            thread.name = "bench-client-\(part)"
            thread.start()
        }
        ready.wait()
        let cpuStart = CPUClock.process()
        let start = ContinuousClock.now
        for _ in 0..<threads { gate.signal() }
        finished.wait()
        let cpu = CPUClock.process() - cpuStart
        let done = runs.withLock { $0.compactMap { $0 } }
        let failures = done.flatMap(\.failures)
        guard done.count == threads, let end = done.compactMap(\.end).max() else {
            throw RunnerError("http load: \(failures.first ?? "a client loop did not run")")
        }
        return Outcome(seconds: (end - start).seconds, latencies: done.flatMap(\.latencies), failures: failures,
                       cpuSeconds: cpu)
    }

    /// Loop-confined state of one client loop; read by the starting thread only after
    /// that loop has ended.
    private final class Run: @unchecked Sendable {
        let loop: Loop
        let plans: [Plan]
        let depth: Int
        var connections: [HTTPClientConnection?]
        var nextBody: [Int]
        var connectedCount = 0
        var outstanding = 0
        var end: ContinuousClock.Instant?
        var latencies: [Double] = []
        var failures: [String] = []
        let headers: HTTPHeaders = ["Content-Type": "application/json"]
        let whenConnected: () -> Void

        init(loop: Loop, plans: [Plan], depth: Int, whenConnected: @escaping () -> Void) {
            self.loop = loop
            self.whenConnected = whenConnected
            self.plans = plans
            self.depth = max(1, depth)
            connections = Array(repeating: nil, count: plans.count)
            nextBody = Array(repeating: 0, count: plans.count)
            latencies.reserveCapacity(plans.reduce(0) { $0 + $1.bodies.count })
        }

        func connected(_ index: Int, _ result: Result<HTTPClientConnection, HTTPClientError>) {
            switch result {
            case .success(let connection): connections[index] = connection
            case .failure(let error): failures.append("connection \(index): \(error)")
            }
            connectedCount += 1
            guard connectedCount == plans.count else { return }
            whenConnected()
            guard failures.isEmpty else { return closeAll() }
            for index in plans.indices {
                for _ in 0..<depth { sendNext(index) }
            }
            if outstanding == 0 { finish() }
        }

        private func sendNext(_ index: Int) {
            guard failures.isEmpty, let connection = connections[index], nextBody[index] < plans[index].bodies.count else {
                return
            }
            let body = plans[index].bodies[nextBody[index]]
            nextBody[index] += 1
            outstanding += 1
            let began = ContinuousClock.now
            connection.send(HTTPClientRequest(method: "POST", target: plans[index].target, headers: headers, body: body)) {
                [self] result in
                outstanding -= 1
                switch result {
                case .success(let response) where response.status == 200:
                    latencies.append((ContinuousClock.now - began).seconds)
                case .success(let response):
                    failures.append("connection \(index): \(response.status) \(response.bodyText.prefix(200))")
                case .failure(let error):
                    failures.append("connection \(index): \(error)")
                }
                sendNext(index)
                if outstanding == 0 { finish() }
            }
        }

        private func finish() {
            guard end == nil else { return }
            end = .now
            closeAll()
        }

        private func closeAll() {
            for connection in connections { connection?.close() }
        }
    }
}
