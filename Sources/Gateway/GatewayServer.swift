import Cluster
import EventLoop
import Foundation
import HTTP
import Identity
import Ledger

/// The routes, on the gateway's loop thread. Node answers come back to this loop
/// through `inbox` before they touch a responder.
final class GatewayServer {
    let loop: Loop
    let node: Node
    let ledger: Ledger
    let configuration: GatewayConfiguration
    let metrics = GatewayMetrics()
    let streams: StreamHub
    private var server: HTTPServer!
    private var inbox: AsyncWakeup<LoopWork>!
    var keyLimiter: RateLimiter
    var dryRunLimiter: RateLimiter
    let started = Date()
    /// Nil when `checkThreads` is 0: pushes are checked on the loop.
    let checkWorkers: CheckWorkers?
    let order = RequestOrder()
    /// Pushes parsed in this loop iteration, checked when it ends (`checkBatcher`).
    var checkBatch: [PendingCheck] = []
    var checkBatcher: Idle!
    /// Checks handed to the workers and not yet back.
    var checksRunning = 0

    init(loop: Loop, node: Node, configuration: GatewayConfiguration) throws {
        self.loop = loop
        self.node = node
        ledger = node.ledger
        self.configuration = configuration
        keyLimiter = RateLimiter(rate: configuration.messagesPerSecondPerKey, burst: configuration.messageBurstPerKey)
        dryRunLimiter = RateLimiter(rate: configuration.dryRunsPerSecondPerClient, burst: configuration.dryRunBurstPerClient)
        streams = StreamHub(loop: loop, ledger: node.ledger, configuration: configuration, metrics: metrics)
        checkWorkers = configuration.checkThreads > 0 ? CheckWorkers(threads: configuration.checkThreads) : nil
        checkBatcher = Idle(loop: loop)
        inbox = try AsyncWakeup<LoopWork>(loop: loop) { $0.run() }
        server = HTTPServer(loop: loop, configuration: configuration.http) { [unowned self] request, responder in
            self.route(request, responder)
        }
    }

    func listen() throws -> UInt16 {
        try server.listen(host: configuration.host, port: configuration.port)
    }

    func close() {
        checkWorkers?.stop()
        if !checkBatcher.isClosing { checkBatcher.close() }
        checkBatch = []
        order.clear()
        streams.closeAll()
        server.close()
        inbox.close()
    }

    /// A completion for the node that runs `body` back on this loop.
    func onLoop<T: Sendable>(_ body: @escaping (T) -> Void) -> @Sendable (T) -> Void {
        let sender = inbox.sender
        let work = LoopBox(body)
        return { value in _ = sender.send(LoopWork { work.value(value) }) }
    }

    // MARK: - Routing

    /// Every request is handled in arrival order: a request behind a push whose
    /// check is still running waits for it (a pipelined push then dry run must reach
    /// the node in that order, as when everything ran on the loop).
    private func route(_ request: HTTPRequest, _ responder: HTTPResponder) {
        metrics.requests.increment()
        metrics.openConnections.set(Double(server.stats.openConnections))
        let reply = Reply(responder, metrics)
        order.run { [unowned self] in routeNow(request, reply) }
    }

    private func routeNow(_ request: HTTPRequest, _ reply: Reply) {
        let segments = request.pathSegments
        switch (request.method, segments.first, segments.count) {
        case ("GET", "healthz", 1), ("HEAD", "healthz", 1):
            reply.json(200, #"{"status":"ok"}"#)
        case ("GET", "~info", 1):
            info(reply)
        case ("GET", "metrics", 1):
            reply.send(HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4"],
                                    body: metrics.text()))
        case ("POST", "spawn", 1):
            spawn(request, reply)
        case (_, "spawn", 1), (_, "healthz", 1), (_, "~info", 1), (_, "metrics", 1):
            reply.methodNotAllowed(request.method)
        case (let method, let pid?, _) where segments.count >= 2:
            routeProcess(method, pid: pid, rest: Array(segments.dropFirst()), request, reply)
        default:
            reply.error(404, "no route \(request.method) \(request.path) (see docs/PROTOCOL.md)")
        }
    }

    private func routeProcess(_ method: String, pid: String, rest: [String], _ request: HTTPRequest, _ reply: Reply) {
        guard Address.isValid(pid) else {
            reply.error(400, "\(pid.prefix(60)) is not a process id (43 characters of base64url)")
            return
        }
        switch (method, rest[0], rest.count) {
        case ("POST", "push", 1): push(pid, request, reply)
        case ("POST", "dryrun", 1): dryRun(pid, request, reply)
        case ("GET", "now", _): now(pid, path: Array(rest.dropFirst()), reply)
        case ("GET", "slots", 1): slots(pid, request, reply)
        case ("GET", "results", 1): results(pid, request, reply)
        case ("GET", "stream", 1): stream(pid, request, reply)
        case (_, "push", 1), (_, "dryrun", 1), (_, "now", _), (_, "slots", 1), (_, "results", 1), (_, "stream", 1):
            reply.methodNotAllowed(method)
        default:
            reply.error(404, "no route \(method) \(request.path) (see docs/PROTOCOL.md)")
        }
    }

    /// The process's record, or a 404 answered.
    func knownProcess(_ pid: String, _ reply: Reply) -> ProcessRecord? {
        do {
            if let record = try ledger.process(pid) { return record }
            reply.error(404, "unknown process \(pid)")
        } catch {
            reply.error(500, "cannot read the ledger: \(error)")
        }
        return nil
    }
}

/// An answer to one request, counting refusals.
struct Reply {
    let responder: HTTPResponder
    let metrics: GatewayMetrics

    init(_ responder: HTTPResponder, _ metrics: GatewayMetrics) {
        self.responder = responder
        self.metrics = metrics
    }

    func send(_ response: HTTPResponse) {
        if response.status >= 400 { metrics.refused.increment() }
        responder.respond(response)
    }

    func json(_ status: Int, _ text: String) { send(.json(status, text)) }

    func error(_ status: Int, _ message: String, headers: [(String, String)] = []) {
        var response = HTTPResponse.error(status, message)
        for (name, value) in headers { response.headers.add(name, value) }
        send(response)
    }

    func methodNotAllowed(_ method: String) { error(405, "method \(method) is not allowed here") }
}

/// Work handed to the gateway's loop from a node thread.
struct LoopWork: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// A loop-confined value carried through another thread and back, never used there.
final class LoopBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
