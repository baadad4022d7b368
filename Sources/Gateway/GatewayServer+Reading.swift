import Cluster
import Foundation
import HTTP
import Ledger

/// The routes that read: node info, public state, the log, results, streams.
extension GatewayServer {
    func info(_ reply: Reply) {
        struct Info: Encodable {
            var nodeID: String
            var publicKey: String
            var version: String
            var shards: Int
            var modules: Int
            var processes: Int
            var entries: Int
            var databaseBytes: Int
            var streams: Int
            var uptimeSeconds: Int
            var services: [String: String]
        }
        do {
            let counts = try ledger.counts()
            reply.json(200, WireJSON.encode(Info(
                nodeID: ledger.nodeID, publicKey: Identifiers.base64url([UInt8](ledger.publicKey)),
                version: configuration.version, shards: node.shardCount, modules: counts.modules,
                processes: counts.processes, entries: counts.assignments, databaseBytes: counts.bytes,
                streams: streams.count, uptimeSeconds: Int(Date().timeIntervalSince(started)),
                services: configuration.services)))
        } catch {
            reply.error(500, "cannot read the ledger: \(error)")
        }
    }

    /// `/now`: every public key as one object; `/now/key/path…`: one value, walked
    /// into by object key or array index.
    func now(_ pid: String, path: [String], _ reply: Reply) {
        guard knownProcess(pid, reply) != nil else { return }
        do {
            guard let key = path.first else {
                let entries = try ledger.publicState(of: pid)
                let fields = entries.map { "\"\(HTTPResponse.escapeJSON($0.key))\":\($0.value)" }.joined(separator: ",")
                let slot = entries.map(\.slot).max().map(String.init) ?? "null"
                reply.json(200, "{\"process\":\"\(pid)\",\"slot\":\(slot),\"state\":{\(fields)}}")
                return
            }
            guard let entry = try ledger.publicValue(of: pid, key: key) else {
                reply.error(404, "process \(pid) publishes no key \"\(key)\"")
                return
            }
            guard path.count > 1 else {
                reply.json(200, entry.value)
                return
            }
            var value: Any = try JSONSerialization.jsonObject(with: Data(entry.value.utf8), options: [.fragmentsAllowed])
            for (depth, step) in path.dropFirst().enumerated() {
                if let object = value as? [String: Any], let next = object[step] {
                    value = next
                } else if let array = value as? [Any], let index = Int(step), array.indices.contains(index) {
                    value = array[index]
                } else {
                    reply.error(404, "no \(path[0...(depth + 1)].joined(separator: "/")) in the public state of \(pid)")
                    return
                }
            }
            let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            reply.json(200, String(decoding: data, as: UTF8.self))
        } catch {
            reply.error(500, "cannot read the public state: \(error)")
        }
    }

    /// The log as the export format (docs/LEDGER.md): a header line, then one line per entry.
    func slots(_ pid: String, _ request: HTTPRequest, _ reply: Reply) {
        guard let range = pageRange(request, reply), knownProcess(pid, reply) != nil else { return }
        var body: [UInt8] = []
        do {
            try ledger.export(process: pid, slots: range) { line in
                body += Array(line.utf8)
                body.append(10)
            }
            reply.send(HTTPResponse(status: 200, headers: ["Content-Type": "application/x-ndjson"], body: body))
        } catch {
            reply.error(500, "cannot read the ledger: \(error)")
        }
    }

    func results(_ pid: String, _ request: HTTPRequest, _ reply: Reply) {
        guard let range = pageRange(request, reply), knownProcess(pid, reply) != nil else { return }
        do {
            let records = try ledger.results(of: pid, slots: range)
            let answers = records.map { record -> SlotResult in
                let result = MessageResult(record)
                return SlotResult(slot: record.slot, Output: result.output, Messages: result.messages,
                                  Spawns: result.spawns, Error: result.error)
            }
            reply.json(200, WireJSON.encode(answers))
        } catch {
            reply.error(500, "cannot read the ledger: \(error)")
        }
    }

    /// `from` and `to` (inclusive), at most `maxPageEntries` slots.
    private func pageRange(_ request: HTTPRequest, _ reply: Reply) -> ClosedRange<Int64>? {
        func number(_ name: String) -> Int64?? {
            guard let text = request.query[name] else { return .some(nil) }
            guard let value = Int64(text), value >= 0 else { return nil }
            return .some(value)
        }
        guard let from = number("from"), let to = number("to") else {
            reply.error(400, "from and to must be slot numbers (0 or more)")
            return nil
        }
        let lower = from ?? 0
        let limit = lower + configuration.maxPageEntries - 1
        let upper = min(to ?? limit, limit)
        guard upper >= lower else {
            reply.error(400, "to (\(upper)) is before from (\(lower))")
            return nil
        }
        return lower...upper
    }

    /// Server-sent events of what the process tells its clients (docs/PROTOCOL.md).
    /// Starts after `Last-Event-ID` if given, else at `?from=SLOT`, else at the next slot.
    func stream(_ pid: String, _ request: HTTPRequest, _ reply: Reply) {
        if (try? ledger.process(pid)) ?? nil != nil { return openStream(pid, request, reply) }
        // A child whose spawn is durable in its parent's log exists (exactly-once
        // delivery will create it after any crash) before its own first slot is: a client
        // told of it by that parent may follow it at once.
        node.runs(pid, completion: onLoop { [self] (running: Bool) in
            if running { openStream(pid, request, reply) } else { reply.error(404, "unknown process \(pid)") }
        })
    }

    private func openStream(_ pid: String, _ request: HTTPRequest, _ reply: Reply) {
        let cursor: StreamCursor
        if let last = request.headers["Last-Event-ID"], !last.isEmpty {
            guard let parsed = StreamCursor(eventID: last) else {
                reply.error(400, "Last-Event-ID must be <slot>.<n> as this stream sent it, not \(last.prefix(40))")
                return
            }
            cursor = parsed
        } else if let text = request.query["from"] {
            guard let from = Int64(text), from >= 0 else {
                reply.error(400, "from must be a slot number (0 or more)")
                return
            }
            cursor = StreamCursor(slot: from - 1, index: Int.max)
        } else {
            let head = (try? ledger.chainHead(of: pid))??.slot ?? -1
            cursor = StreamCursor(slot: head, index: Int.max)
        }
        let stream = reply.responder.startStream(status: 200, headers: [
            "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
        ])
        streams.open(process: pid, after: cursor, stream: stream)
    }
}
