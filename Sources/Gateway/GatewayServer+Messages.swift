import Cluster
import Foundation
import HTTP
import Identity

/// The routes that run something: push, spawn, dry run.
extension GatewayServer {
    func push(_ pid: String, _ request: HTTPRequest, _ reply: Reply) {
        guard let body = decode(SignedRequest.self, request, reply) else { return }
        guard body.module == nil, body.source == nil else {
            reply.error(400, "module and source belong to POST /spawn, not to a push")
            return
        }
        let message = body.message(kind: .push, target: pid)
        guard let from = verify(message, reply), admit(from, reply) else { return }
        let wantsResult = request.query["wait"] == "result"
        let started = ContinuousClock.now
        node.push(to: pid, from: from, tags: message.tags.map { Tag($0.name, $0.value) }, data: message.data,
                  id: message.id, completion: onLoop { [metrics] (outcome: Result<PushReceipt, NodeError>) in
            switch outcome {
            case .success(let receipt):
                metrics.pushes.increment()
                metrics.pushLatency.record(ContinuousClock.now - started)
                reply.json(200, WireJSON.encode(PushAnswer(id: receipt.id, process: receipt.process, slot: receipt.slot,
                                                           result: wantsResult ? WireResult(receipt.result) : nil)))
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
        guard !request.body.isEmpty else {
            reply.error(400, "the body must be a JSON object (see docs/PROTOCOL.md)")
            return nil
        }
        do {
            return try JSONDecoder().decode(type, from: Data(request.body))
        } catch let DecodingError.keyNotFound(key, _) {
            reply.error(400, "the body lacks \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            reply.error(400, "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        } catch {
            reply.error(400, "the body is not valid JSON for this route")
        }
        return nil
    }

    /// The signer's address, or nil with the refusal answered.
    func verify(_ message: SignedMessage, _ reply: Reply) -> String? {
        do {
            return try message.verify(limits: configuration.messageLimits)
        } catch .badSignature(let why) {
            metrics.badSignatures.increment()
            reply.error(401, "bad signature: \(why)")
        } catch {
            reply.error(400, "\(error)")
        }
        return nil
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
