import Client
import Foundation
@testable import Gateway
import HTTP
import Identity
import Testing

/// Pushes are checked (JSON, signature) on worker threads; answers and node
/// submissions must still follow request order, and refusals stay where they were.
@Suite(.serialized) struct GatewayPipelineTests {
    /// Statuses and bodies of the responses in one raw exchange, in order.
    static func responses(_ raw: String) -> [(status: Int, body: String)] {
        var out: [(Int, String)] = []
        var rest = Substring(raw)
        while let head = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<head.lowerBound].split(separator: "\r\n")
            guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
                  let status = Int(statusLine.dropFirst(9).prefix(3)) else { break }
            let length = lines.dropFirst().compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
            let bodyStart = head.upperBound
            let bytes = Array(rest[bodyStart...].utf8)
            guard bytes.count >= length else { break }
            out.append((status, String(decoding: bytes[0..<length], as: UTF8.self)))
            rest = Substring(String(decoding: bytes[length...], as: UTF8.self))
        }
        return out
    }

    static func request(_ method: String, _ path: String, _ body: [UInt8], last: Bool = false) -> [UInt8] {
        Array("\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\(last ? "Connection: close\r\n" : "")\r\n".utf8) + body
    }

    static func tampered(_ body: [UInt8]) throws -> [UInt8] {
        var object = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
        object["data"] = "1000"
        return [UInt8](try JSONSerialization.data(withJSONObject: object))
    }

    /// One connection, 14 requests written at once: good pushes, bad signatures,
    /// broken JSON, then a dry run. Answers come back in request order; good pushes
    /// get consecutive slots in request order.
    @Test(arguments: [0, 1, 4])
    func pipelinedPushesKeepTheirOrderAndRefusals(checkThreads: Int) throws {
        let h = try GatewayHarness { $0.checkThreads = checkThreads }
        let pid = try h.spawn(Modules.counter)
        var bytes: [UInt8] = []
        var expected: [Int] = []
        for n in 0..<13 {
            let good = try h.signedBody(to: pid, tags: [("Action", "Add")], data: "1", nonce: "p\(n)")
            switch n % 4 {
            case 1:
                bytes += Self.request("POST", "/\(pid)/push", try Self.tampered(good))
                expected.append(401)
            case 3 where n == 3:
                bytes += Self.request("POST", "/\(pid)/push", Array("{nonce:".utf8))
                expected.append(400)
            default:
                bytes += Self.request("POST", "/\(pid)/push", good)
                expected.append(200)
            }
        }
        let dry = Array(#"{"tags":[{"name":"Action","value":"Add"}],"data":"0"}"#.utf8)
        bytes += Self.request("POST", "/\(pid)/dryrun", dry, last: true)
        expected.append(200)

        let answers = Self.responses(RawSocket.exchange(port: h.port, bytes, seconds: 20))
        #expect(answers.map(\.status) == expected, "\(answers.map(\.body))")
        let slots = answers.dropLast().filter { $0.status == 200 }.compactMap { answer -> Int64? in
            let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            return (object?["slot"] as? NSNumber)?.int64Value
        }
        let goodCount = expected.dropLast().filter { $0 == 200 }.count
        #expect(slots == Array(1...Int64(goodCount)))
        for answer in answers where answer.status == 401 {
            #expect(answer.body.contains("does not match"))
        }
        // The dry run answers in its place; it may run before the pushes ahead of it are
        // evaluated (as it always could), so only its shape is checked.
        let result = try JSONSerialization.jsonObject(with: Data(answers.last!.body.utf8)) as? [String: Any]
        #expect(result?["Messages"] is [[String: Any]])
        #expect(try h.node.ledger.chainHead(of: pid)?.slot == Int64(goodCount))
    }

    /// Many connections pushing at once through the workers: every good push lands,
    /// every bad one is 401, and each connection's slots rise in its request order.
    @Test func concurrentPipelinesStayOrderedPerConnection() throws {
        let h = try GatewayHarness { $0.checkThreads = 2 }
        let pid = try h.spawn(Modules.counter)
        let results = AnswerLists(count: 6)
        let group = DispatchGroup()
        for connection in 0..<6 {
            var bytes: [UInt8] = []
            for n in 0..<10 {
                let good = try h.signedBody(to: pid, tags: [("Action", "Add")], data: "1", nonce: "c\(connection).\(n)")
                bytes += Self.request("POST", "/\(pid)/push", n == 4 ? try Self.tampered(good) : good, last: n == 9)
            }
            group.enter()
            let pipeline = bytes
            DispatchQueue.global().async {
                let answers = Self.responses(RawSocket.exchange(port: h.port, pipeline, seconds: 20))
                results.set(connection, answers)
                group.leave()
            }
        }
        group.wait()
        var allSlots: [Int64] = []
        for answers in results.all {
            #expect(answers.map(\.status) == [200, 200, 200, 200, 401, 200, 200, 200, 200, 200])
            let slots = answers.filter { $0.status == 200 }.compactMap { answer -> Int64? in
                let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
                return (object?["slot"] as? NSNumber)?.int64Value
            }
            #expect(slots == slots.sorted() && slots.count == 9)
            allSlots += slots
        }
        #expect(Set(allSlots) == Set(1...54))
    }

    /// The hand-written push answer is what the encoder wrote before.
    @Test func plainPushAnswerMatchesTheEncoder() {
        for (id, process, slot) in [("fpm6p5fYdf7F-km0hZAF6m1mbCmGvZ8NiuqZjjIh-lE", "t6Q9Ae7pm9cO9Xo5Xx8aUj0X9B2oVqhr5YJcb3AmG0U", Int64(7)),
                                    ("we\"ird\\", "x/y", Int64(0))] {
            #expect(PushAnswer.plain(id: id, process: process, slot: slot)
                    == WireJSON.encode(PushAnswer(id: id, process: process, slot: slot, result: nil)))
        }
    }

    /// The order keeper alone: works run in arrival order whatever order the
    /// reservations complete in, and a reservation made by a running work goes
    /// right behind it, ahead of requests that arrived later.
    @Test func requestOrderRunsInArrivalOrder() {
        let order = RequestOrder()
        var ran: [String] = []
        order.run { ran.append("a") }  // nothing waiting: runs at once
        #expect(ran == ["a"])
        let b = order.reserve()
        let c = order.reserve()
        order.run { ran.append("d") }
        var inner: RequestOrder.Ticket?
        order.complete(c) {
            ran.append("c")
            inner = order.reserve()  // made while c runs: before d
        }
        #expect(ran == ["a"])
        order.complete(b) { ran.append("b") }
        #expect(ran == ["a", "b", "c"])
        order.complete(inner!) { ran.append("c2") }
        #expect(ran == ["a", "b", "c", "c2", "d"])
        #expect(order.waiting == 0)
    }
}

/// Answers gathered from several threads.
private final class AnswerLists: @unchecked Sendable {
    private let lock = NSLock()
    private var lists: [[(status: Int, body: String)]]

    init(count: Int) { lists = Array(repeating: [], count: count) }
    func set(_ index: Int, _ answers: [(status: Int, body: String)]) { lock.withLock { lists[index] = answers } }
    var all: [[(status: Int, body: String)]] { lock.withLock { lists } }
}
