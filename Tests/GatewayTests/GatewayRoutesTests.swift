import Client
import Foundation
import Gateway
import HTTP
import Identity
import Ledger
import Testing

/// Every route over real sockets: spawn, push, results, state, dry run, the log.
@Suite(.serialized) struct GatewayRoutesTests {
    @Test func spawnPushAndReadBack() throws {
        let h = try GatewayHarness()
        let client = try h.client()
        let pid = try h.spawn(Modules.counter)
        let first = try client.push(to: pid, tags: [ClientTag("Action", "Add")], data: "5")
        #expect(first.slot == 1 && first.process == pid && first.result == nil)
        let second = try client.push(to: pid, tags: [ClientTag("Action", "Add")], data: "2", waitForResult: true)
        #expect(second.slot == 2)
        let reply = try #require(second.result?.Messages.first { $0[tag: "Action"] == "Added" })
        #expect(reply.Target == h.key.address && reply.Data == "7")

        // Public state: the whole of it, one key, a path into a value.
        let now = try JSONSerialization.jsonObject(with: Data(try client.state(pid).utf8)) as? [String: Any]
        #expect((now?["state"] as? [String: Any])?["count"] as? Int == 7)
        #expect(now?["slot"] as? Int == 2)
        #expect(try client.state(pid, path: ["count"]) == "7")
        #expect(try client.state(pid, path: ["board", "leader"]) == "\"\(h.key.address)\"")
        #expect(throws: ClientError.self) { try client.state(pid, path: ["nothing"]) }

        // Results, a page of them.
        let results = try JSONSerialization.jsonObject(with: Data(try client.results(pid, from: 1, to: 2).utf8)) as? [[String: Any]]
        #expect(results?.map { $0["slot"] as? Int } == [1, 2])
    }

    @Test func theLogVerifiesClientSide() throws {
        let h = try GatewayHarness()
        let client = try h.client()
        let pid = try h.spawn(Modules.counter)
        for n in 1...5 { _ = try client.push(to: pid, tags: [ClientTag("Action", "Add")], data: "\(n)") }
        let export = try client.slots(pid)
        let info = try JSONSerialization.jsonObject(with: Data(try client.info().utf8)) as? [String: Any]
        let nodeKey: [UInt8] = try #require(Identity.Base64URL.decode(info?["publicKey"] as? String ?? ""))
        // The whole chain, checked without the database, against the key /~info names.
        let report = ExportVerifier(trustedPublicKey: Data(nodeKey)).verify(jsonl: export)
        #expect(report.isValid, "\(String(describing: report.failure))")
        #expect(report.entries == 6)
        // A tampered copy fails.
        let tampered = export.replacingOccurrences(of: "\"data\":\"3\"", with: "\"data\":\"4\"")
        #expect(tampered != export)
        #expect(!ExportVerifier(trustedPublicKey: Data(nodeKey)).verify(jsonl: tampered).isValid)
        // Pages: the header, then just the range.
        let page = try client.slots(pid, from: 2, to: 3).split(separator: "\n")
        #expect(page.count == 3)
        #expect(page[1].contains("\"slot\":2") && page[2].contains("\"slot\":3"))
    }

    @Test func aDryRunChangesNothing() throws {
        let h = try GatewayHarness()
        let client = try h.client()
        let pid = try h.spawn(Modules.counter)
        _ = try client.push(to: pid, tags: [ClientTag("Action", "Add")], data: "3")
        let result = try client.dryRun(pid, tags: [ClientTag("Action", "Add")], data: "100", from: "reader")
        #expect(result.Messages.contains { $0[tag: "Action"] == "Added" && $0.Data == "103" && $0.Target == "reader" })
        #expect(try client.state(pid, path: ["count"]) == "3")
        let failing = try client.dryRun(pid, tags: [ClientTag("Action", "Boom")])
        #expect(failing.Error?.contains("boom") == true)
        #expect(try client.push(to: pid, tags: [ClientTag("Action", "Add")], data: "1").slot == 2)
    }

    @Test func aSpawnByModuleIdReusesAStoredModule() throws {
        let h = try GatewayHarness()
        let first = try h.spawn(Modules.counter)
        let moduleID = ModuleID.of(source: Modules.counter)
        let nonce = "by-id-1"
        let body = try h.signedBody(to: moduleID, kind: .spawn, tags: [], nonce: nonce)
        var object = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
        object["module"] = moduleID
        let response = try h.http().request("POST", "/spawn", body: [UInt8](try JSONSerialization.data(withJSONObject: object)))
        #expect(response.status == 200, "\(response.bodyText)")
        let answer = try JSONDecoder().decode(PushAnswer.self, from: Data(response.body))
        #expect(answer.process != first && answer.slot == 0)
        // The same signed spawn again is a replay.
        let again = try h.http().request("POST", "/spawn", body: [UInt8](try JSONSerialization.data(withJSONObject: object)))
        #expect(again.status == 409, "\(again.bodyText)")
    }

    @Test func infoHealthAndMetricsAnswer() throws {
        let h = try GatewayHarness()
        let http = h.http()
        #expect(try http.request("GET", "/healthz").bodyText == #"{"status":"ok"}"#)
        let info = try JSONSerialization.jsonObject(with: Data(try http.request("GET", "/~info").body)) as? [String: Any]
        #expect((info?["nodeID"] as? String)?.count == 43)
        #expect(info?["shards"] as? Int == h.node.shardCount)
        _ = try h.spawn(Modules.counter)
        let metrics = try http.request("GET", "/metrics")
        #expect(metrics.headers["Content-Type"]?.hasPrefix("text/plain") == true)
        #expect(metrics.bodyText.contains("starlane_spawns_total 1"))
        #expect(metrics.bodyText.contains("# TYPE starlane_push_duration_seconds histogram"))
    }
}
