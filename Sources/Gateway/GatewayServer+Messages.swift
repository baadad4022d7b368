import Cluster
import Foundation
import HTTP
import Identity

/// The routes that run something: push, spawn, dry run.
extension GatewayServer {
    /// A push: checked (JSON, limits, signature), then admitted and handed to the node
    /// in arrival order (`RequestOrder`). Pushes that arrive in one loop iteration are
    /// checked together at its end: a lone push with no check running is checked right
    /// there on the loop (no thread hop: as quick as before for one client), several go
    /// to the check workers so the loop keeps parsing and writing.
    func push(_ pid: String, _ request: HTTPRequest, _ reply: Reply) {
        let limits = configuration.messageLimits
        let body = request.body
        let wantsResult = request.query["wait"] == "result"
        let started = ContinuousClock.now
        guard checkWorkers != nil else {
            return finishPush(pid, PushCheck.check(body, target: pid, limits: limits), wantsResult, started, reply)
        }
        let ticket = order.reserve()
        checkBatch.append(PendingCheck(body: body, target: pid) { [self] outcome in
            order.complete(ticket) { self.finishPush(pid, outcome, wantsResult, started, reply) }
        })
        if !checkBatcher.isActive { checkBatcher.start { [unowned self] _ in runCheckBatch() } }
    }

    /// At the end of the loop iteration that queued them (an idle callback).
    private func runCheckBatch() {
        checkBatcher.stop()
        let batch = checkBatch
        checkBatch = []
        let limits = configuration.messageLimits
        guard let workers = checkWorkers, batch.count > 1 || checksRunning > 0 else {
            for item in batch { item.finish(PushCheck.check(item.body, target: item.target, limits: limits)) }
            return
        }
        for item in batch {
            checksRunning += 1
            let done = onLoop { [self] (outcome: Result<PushCheck, Refusal>) in
                checksRunning -= 1
                item.finish(outcome)
            }
            let (body, target) = (item.body, item.target)
            workers.submit { done(PushCheck.check(body, target: target, limits: limits)) }
        }
    }

    private func finishPush(_ pid: String, _ outcome: Result<PushCheck, Refusal>, _ wantsResult: Bool,
                            _ started: ContinuousClock.Instant, _ reply: Reply) {
        let checked: PushCheck
        switch outcome {
        case .success(let value): checked = value
        case .failure(let refusal): return refuse(refusal, reply)
        }
        guard admit(checked.from, reply) else { return }
        node.push(to: pid, from: checked.from, tags: checked.tags, data: checked.data,
                  id: checked.id, completion: onLoop { [metrics] (outcome: Result<PushReceipt, NodeError>) in
            switch outcome {
            case .success(let receipt):
                metrics.pushes.increment()
                metrics.pushLatency.record(ContinuousClock.now - started)
                if wantsResult {
                    reply.json(200, WireJSON.encode(PushAnswer(id: receipt.id, process: receipt.process, slot: receipt.slot,
                                                               result: WireResult(receipt.result))))
                } else {
                    reply.json(200, PushAnswer.plain(id: receipt.id, process: receipt.process, slot: receipt.slot))
                }
            case .failure(let error):
                Self.refuse(error, reply)
            }
        })
    }

    func spawn(_ request: HTTPRequest, _ reply: Reply) {
        guard let body = decode(SignedRequest.self, request, reply) else { return }
        let source: String
        switch (body.module, body.source) {
        case (nil, let text?):
            source = text
        case (let id?, nil):
            do {
                guard let module = try ledger.module(id) else {
                    reply.error(404, "unknown module \(id); send its source instead")
                    return
                }
                source = module.source
            } catch {
                reply.error(500, "cannot read the ledger: \(error)")
                return
            }
        default:
            reply.error(400, "a spawn names exactly one of module (a stored module id) or source (Lua text)")
            return
        }
        let moduleID = Identifiers.module(source: source)
        let message = body.message(kind: .spawn, target: moduleID)
        guard let from = verify(message, reply), admit(from, reply) else { return }
        let wantsResult = request.query["wait"] == "result"
        node.spawn(module: source, owner: from, tags: message.tags.map { Tag($0.name, $0.value) }, data: message.data,
                   nonce: message.nonce, completion: onLoop { [metrics] (outcome: Result<PushReceipt, NodeError>) in
            switch outcome {
            case .success(let receipt):
                metrics.spawns.increment()
                reply.json(200, WireJSON.encode(PushAnswer(id: receipt.process, process: receipt.process, slot: receipt.slot,
                                                           result: wantsResult ? WireResult(receipt.result) : nil)))
            case .failure(let error):
                Self.refuse(error, reply)
            }
        })
    }

    func dryRun(_ pid: String, _ request: HTTPRequest, _ reply: Reply) {
        guard let body = decode(DryRunRequest.self, request, reply) else { return }
        let from = body.from ?? "anonymous"
        guard !from.isEmpty, from.utf8.count <= 64 else {
            reply.error(400, "from must be 1–64 characters")
            return
        }
        let shape = SignedMessage(kind: .push, target: pid, nonce: "dry-run",
                                  tags: (body.tags ?? []).map { .init($0.name, $0.value) }, data: body.data ?? "")
        do {
            try shape.validate(limits: configuration.messageLimits)
        } catch {
            reply.error(400, "\(error)")
            return
        }
        let client = Self.host(of: request.remoteAddress)
        if let wait = dryRunLimiter.take(client, now: loop.now) {
            rateLimited(reply, wait: wait, who: "client \(client)")
            return
        }
        node.dryRun(pid, from: from, tags: shape.tags.map { Tag($0.name, $0.value) }, data: shape.data,
                    completion: onLoop { [metrics] (outcome: Result<MessageResult, NodeError>) in
            switch outcome {
            case .success(let result):
                metrics.dryRuns.increment()
                reply.json(200, WireJSON.encode(WireResult(result)))
            case .failure(let error):
                Self.refuse(error, reply)
            }
        })
    }

    // MARK: - Checks

    func decode<T: Decodable>(_ type: T.Type, _ request: HTTPRequest, _ reply: Reply) -> T? {
        switch Self.decode(type, request.body) {
        case .success(let value): return value
        case .failure(let refusal): refuse(refusal, reply)
        }
        return nil
    }

    /// Thread-safe: pushes are decoded on the check workers.
    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) -> Result<T, Refusal> {
        guard !body.isEmpty else {
            return .failure(.invalid("the body must be a JSON object (see docs/PROTOCOL.md)"))
        }
        do {
            return .success(try JSONDecoder().decode(type, from: Data(body)))
        } catch let DecodingError.keyNotFound(key, _) {
            return .failure(.invalid("the body lacks \"\(key.stringValue)\""))
        } catch let DecodingError.typeMismatch(_, context) {
            return .failure(.invalid("wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"))
        } catch {
            return .failure(.invalid("the body is not valid JSON for this route"))
        }
    }

    /// The signer's address, or nil with the refusal answered.
    func verify(_ message: SignedMessage, _ reply: Reply) -> String? {
        switch Self.verify(message, limits: configuration.messageLimits) {
        case .success(let from): return from
        case .failure(let refusal): refuse(refusal, reply)
        }
        return nil
    }

    static func verify(_ message: SignedMessage, limits: MessageLimits) -> Result<String, Refusal> {
        verifiedSigner(message, limits: limits).map(\.from)
    }

    static func verifiedSigner(_ message: SignedMessage, limits: MessageLimits) -> Result<(from: String, id: String), Refusal> {
        do {
            return .success(try message.verifiedSigner(limits: limits))
        } catch .badSignature(let why) {
            return .failure(.badSignature("bad signature: \(why)"))
        } catch {
            return .failure(.invalid("\(error)"))
        }
    }

    func refuse(_ refusal: Refusal, _ reply: Reply) {
        switch refusal {
        case .invalid(let why):
            reply.error(400, why)
        case .badSignature(let why):
            metrics.badSignatures.increment()
            reply.error(401, why)
        }
    }

    /// Applies the per-key rate limit; false with 429 answered when over it.
    func admit(_ address: String, _ reply: Reply) -> Bool {
        guard let wait = keyLimiter.take(address, now: loop.now) else { return true }
        rateLimited(reply, wait: wait, who: "key \(address)")
        return false
    }

    private func rateLimited(_ reply: Reply, wait: Double, who: String) {
        metrics.rateLimited.increment()
        let seconds = max(1, Int(wait.rounded(.up)))
        reply.error(429, "rate limit: \(who) is sending too fast; retry in \(seconds) s",
                    headers: [("Retry-After", String(seconds))])
    }

    static func refuse(_ error: NodeError, _ reply: Reply) {
        switch error {
        case .unknownProcess, .unknownModule: reply.error(404, "\(error)")
        case .mailboxFull: reply.error(503, "\(error)", headers: [("Retry-After", "1")])
        case .stopped: reply.error(503, "\(error)")
        case .duplicate: reply.error(409, "\(error)")
        case .invalidRequest: reply.error(400, "\(error)")
        case .ledger: reply.error(500, "\(error)")
        }
    }

    /// `host` of `host:port` (IPv6 `[a:b]:port` too).
    static func host(of address: String?) -> String {
        guard let address else { return "unknown" }
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<end])
        }
        if let colon = address.lastIndex(of: ":"), address.firstIndex(of: ":") == colon {
            return String(address[..<colon])
        }
        return address
    }
}

/// Why a request was refused before it reached the node (decided off the loop).
enum Refusal: Error, Sendable {
    /// 400.
    case invalid(String)
    /// 401, counted as a bad signature.
    case badSignature(String)
}

/// A push body decoded, within limits and correctly signed: what the node gets.
struct PushCheck: Sendable {
    var from: String
    var id: String
    var tags: [Tag]
    var data: String

    /// Everything about a push that needs no loop state; runs on any thread.
    static func check(_ body: [UInt8], target: String, limits: MessageLimits) -> Result<PushCheck, Refusal> {
        let request: SignedRequest
        switch GatewayServer.decode(SignedRequest.self, body) {
        case .success(let value): request = value
        case .failure(let refusal): return .failure(refusal)
        }
        guard request.module == nil, request.source == nil else {
            return .failure(.invalid("module and source belong to POST /spawn, not to a push"))
        }
        let message = request.message(kind: .push, target: target)
        return GatewayServer.verifiedSigner(message, limits: limits).map { signer in
            PushCheck(from: signer.from, id: signer.id, tags: message.tags.map { Tag($0.name, $0.value) }, data: message.data)
        }
    }
}

/// A push waiting for its check; `finish` runs on the loop.
struct PendingCheck {
    let body: [UInt8]
    let target: String
    let finish: (Result<PushCheck, Refusal>) -> Void
}
