import Client
import Foundation
import Gateway
import HTTP
import Identity
import Testing

/// Each kind of bad input gets a clear JSON error, changes nothing, and the node
/// keeps serving everyone else.
@Suite(.serialized) struct GatewayBadInputTests {
    func status(_ response: HTTPResponse) -> (Int, String) {
        let error = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["error"] as? String
        return (response.status, error ?? response.bodyText)
    }

    /// The process still answers a good message, and its log has exactly `slots` entries.
    func stillServing(_ h: GatewayHarness, _ pid: String, slots expected: Int64) throws {
        #expect(try h.node.ledger.chainHead(of: pid)?.slot == expected - 1)
        let answer = try h.client().push(to: pid, tags: [ClientTag("Action", "Add")], data: "1")
        #expect(answer.slot == expected)
    }

    @Test func badMessagesAreRefusedClearlyAndChangeNothing() throws {
        let h = try GatewayHarness()
        let pid = try h.spawn(Modules.counter)
        let http = h.http()
        func post(_ path: String, _ body: [UInt8]) throws -> (Int, String) {
            status(try http.request("POST", path, headers: [("Content-Type", "application/json")], body: body))
        }
        let good = try h.signedBody(to: pid, tags: [("Action", "Add")], data: "1")
        var cases: [(String, [UInt8], Int, String)] = [
            ("empty body", [], 400, "JSON object"),
            ("not JSON", Array("{nonce:".utf8), 400, "not valid JSON"),
            ("no signature", Array(#"{"nonce":"a","key":"k"}"#.utf8), 400, "lacks \"signature\""),
            ("wrong types", Array(#"{"nonce":1,"key":"k","signature":"s"}"#.utf8), 400, "wrong type"),
        ]
        // A signature of another message, a key that did not sign, a signature for another process.
        var object = try JSONSerialization.jsonObject(with: Data(good)) as! [String: Any]
        object["data"] = "1000"
        cases.append(("altered data", [UInt8](try JSONSerialization.data(withJSONObject: object)), 401, "does not match"))
        object = try JSONSerialization.jsonObject(with: Data(good)) as! [String: Any]
        object["key"] = Base64URL.encode(ClientKey().publicKey)
        cases.append(("someone else's key", [UInt8](try JSONSerialization.data(withJSONObject: object)), 401, "does not match"))
        let otherPid = try h.spawn(Modules.counter)
        let forOther = try h.signedBody(to: otherPid, tags: [("Action", "Add")])
        cases.append(("signed for another process", forOther, 401, "does not match"))
        cases.append(("reserved tag", try h.signedBody(to: pid, tags: [("From", "someone")]), 400, "set by the node"))
        cases.append(("bad tag name", try h.signedBody(to: pid, tags: [("Bad Name", "x")]), 400, "without spaces"))
        cases.append(("bad nonce", try h.signedBody(to: pid, tags: [("Action", "Add")], nonce: "a b"), 400, "nonce"))
        for (name, body, expected, words) in cases {
            let (code, error) = try post("/\(pid)/push", body)
            #expect(code == expected, "\(name): \(code) \(error)")
            #expect(error.contains(words), "\(name): \(error)")
        }
        try stillServing(h, pid, slots: 1)
    }

    @Test func aReplayedMessageIsRefused() throws {
        let h = try GatewayHarness()
        let pid = try h.spawn(Modules.counter)
        let body = try h.signedBody(to: pid, tags: [("Action", "Add")], data: "5", nonce: "once")
        let http = h.http()
        #expect(try http.request("POST", "/\(pid)/push", body: body).status == 200)
        let replay = status(try http.request("POST", "/\(pid)/push", body: body))
        #expect(replay.0 == 409 && replay.1.contains("already delivered"))
        // Also after a restart of the gateway's node? The id is in the ledger: see the e2e test.
        #expect(try h.client().state(pid, path: ["count"]) == "5")
    }

    @Test func unknownProcessesRoutesAndMethods() throws {
        let h = try GatewayHarness()
        let http = h.http()
        let unknown = Identifiers43.random()
        let cases: [(String, String, Int, String)] = [
            ("GET", "/\(unknown)/now", 404, "unknown process"),
            ("GET", "/\(unknown)/stream", 404, "unknown process"),
            ("GET", "/\(unknown)/slots", 404, "unknown process"),
            ("GET", "/short/now", 400, "not a process id"),
            ("GET", "/nothing/here/at/all", 400, "not a process id"),
            ("GET", "/favicon.ico", 404, "no route"),
            ("DELETE", "/healthz", 405, "not allowed"),
            ("GET", "/spawn", 405, "not allowed"),
            ("GET", "/\(unknown)/slots?from=-1", 400, "slot numbers"),
            ("GET", "/\(unknown)/slots?from=5&to=2", 400, "before from"),
        ]
        for (method, path, expected, words) in cases {
            let (code, error) = status(try http.request(method, path))
            #expect(code == expected, "\(method) \(path): \(code) \(error)")
            #expect(error.contains(words), "\(method) \(path): \(error)")
        }
        let push = status(try http.request("POST", "/\(unknown)/push", body: try h.signedBody(to: unknown, tags: [("Action", "X")])))
        #expect(push.0 == 404 && push.1.contains("unknown process"))
    }

    @Test func aFloodFromOneKeyIsRateLimitedWithoutHurtingOthers() throws {
        let h = try GatewayHarness { $0.messagesPerSecondPerKey = 2; $0.messageBurstPerKey = 5 }
        let pid = try h.spawn(Modules.counter)  // the spawn takes one token of h.key
        let flooder = try h.client()
        var refused: ClientError?
        var accepted = 0
        for _ in 0..<20 {
            do { _ = try flooder.push(to: pid, tags: [ClientTag("Action", "Add")], data: "1"); accepted += 1 } catch let error as ClientError {
                refused = error
                break
            }
        }
        #expect(accepted >= 3 && accepted <= 6)
        #expect(refused?.status == 429 && refused?.message.contains("rate limit") == true)
        // Another key is not affected.
        let other = try h.client(ClientKey())
        #expect(try other.push(to: pid, tags: [ClientTag("Action", "Add")], data: "1").slot == Int64(accepted + 1))
    }

    @Test func oversizedBodiesAndHeadersAreRefused() throws {
        let h = try GatewayHarness { $0.http.maxBodyBytes = 4_096; $0.http.maxHeaderBytes = 2_048 }
        let pid = try h.spawn(Modules.counter)
        let big = try h.signedBody(to: pid, tags: [("Action", "Add")], data: String(repeating: "x", count: 10_000))
        #expect(try h.http().request("POST", "/\(pid)/push", body: big).status == 413)
        let hugeHeader = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 4_000))\r\n\r\n"
        #expect(RawSocket.exchange(port: h.port, Array(hugeHeader.utf8)).hasPrefix("HTTP/1.1 431"))
        let malformed = RawSocket.exchange(port: h.port, Array("BLAH\u{0}\r\n\r\n".utf8))
        #expect(malformed.hasPrefix("HTTP/1.1 400"))
        try stillServing(h, pid, slots: 1)
    }

    @Test func slowClientsAndTooManyConnectionsAreCutOff() throws {
        let h = try GatewayHarness {
            $0.http.headerTimeout = .milliseconds(300)
            $0.http.maxConnections = 4
        }
        let pid = try h.spawn(Modules.counter)
        // Half a request head, then silence: 408 once the head timeout passes.
        let slow = RawSocket.exchange(port: h.port, Array("GET /healthz HTTP/1.1\r\nHost:".utf8), seconds: 3)
        #expect(slow.hasPrefix("HTTP/1.1 408"), "\(slow.prefix(80))")
        // Four idle connections fill the node; the fifth is turned away with 503.
        var idle: [Int32] = []
        for _ in 0..<4 { idle.append(openIdle(port: h.port)) }
        Thread.sleep(forTimeInterval: 0.1)
        let turnedAway = RawSocket.exchange(port: h.port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8), seconds: 2)
        #expect(turnedAway.hasPrefix("HTTP/1.1 503"), "\(turnedAway.prefix(80))")
        for fd in idle { close(fd) }
        Thread.sleep(forTimeInterval: 0.2)
        try stillServing(h, pid, slots: 1)
    }

    func openIdle(port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return fd
    }

    @Test func garbageBytesNeverCrashTheGateway() throws {
        let h = try GatewayHarness()
        let pid = try h.spawn(Modules.counter)
        var generator = SplitMix(seed: 0x5eed)
        let body = try h.signedBody(to: pid, tags: [("Action", "Add")])
        let valid = Array("POST /\(pid)/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
            + body
        let deadline = Date().addingTimeInterval(8)
        var sent = 0
        while Date() < deadline, sent < 400 {
            var bytes = valid
            switch generator.next() % 4 {
            case 0: for _ in 0..<(1 + generator.next() % 8) { bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next()) }
            case 1: bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            case 2: bytes = (0..<(generator.next() % 512)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            default:
                // Valid HTTP, garbage JSON.
                let junk = (0..<(generator.next() % 200)).map { _ in UInt8(32 + generator.next() % 95) }
                bytes = Array("POST /\(pid)/push HTTP/1.1\r\nHost: x\r\nContent-Length: \(junk.count)\r\n\r\n".utf8) + junk
            }
            let answer = RawSocket.exchange(port: h.port, bytes, seconds: 0.2, closeWrite: true)
            if !answer.isEmpty { #expect(answer.hasPrefix("HTTP/1.1 "), "\(answer.prefix(40))") }
            sent += 1
        }
        #expect(sent >= 100)
        // Only an intact signed message can reach the process, and only once (then it is
        // a replay): at most one slot more than the spawn.
        let head = try #require(try h.node.ledger.chainHead(of: pid)?.slot)
        #expect(head <= 1)
        try stillServing(h, pid, slots: head + 1)
    }
}

/// A deterministic generator for fuzz inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Identifiers43 {
    static func random() -> String { Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255) }) }
}
