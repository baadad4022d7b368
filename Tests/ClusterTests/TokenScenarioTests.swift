import Foundation
import Testing
@testable import Cluster

/// The example aos-style token (examples/token.lua) through the process runner,
/// as `starlane run examples/token.lua --msgs examples/token-transfers.jsonl` does.
@Suite struct TokenScenarioTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func lines() throws -> [[String: Any]] {
        let module = try String(contentsOf: Self.root.appendingPathComponent("examples/token.lua"), encoding: .utf8)
        let input = try String(contentsOf: Self.root.appendingPathComponent("examples/token-transfers.jsonl"), encoding: .utf8)
        var runner = try ProcessRunner(moduleSource: module)
        let boot = runner.boot()
        #expect(boot.error == nil, "\(boot.error ?? "")")
        return try input.split(separator: "\n").map { line in
            let out = try runner.handle(jsonLine: String(line))
            return try #require(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        }
    }

    func messages(_ line: [String: Any]) -> [[String: Any]] {
        line["Messages"] as? [[String: Any]] ?? []
    }

    func tags(_ message: [String: Any]) -> [String: String] {
        message["Tags"] as? [String: String] ?? [:]
    }

    @Test func aTransferScenarioConservesSupplyAndNotifiesBothSides() throws {
        let out = try lines()
        let alice = "alice" + String(repeating: "0", count: 38)
        let bob = "bob" + String(repeating: "0", count: 40)
        #expect(out.map { $0["Slot"] as? Int } == Array(1...9))

        // Info
        #expect(tags(messages(out[0])[0])["Ticker"] == "SLC")

        // owner -> alice 250: a Debit-Notice to the owner and a Credit-Notice to alice.
        let transfer = messages(out[1])
        #expect(transfer.count == 2)
        #expect(tags(transfer[0])["Action"] == "Debit-Notice")
        #expect(transfer[0]["Target"] as? String == ProcessRunner.defaultOwner)
        #expect(tags(transfer[1])["Action"] == "Credit-Notice")
        #expect(transfer[1]["Target"] as? String == alice)
        #expect(tags(transfer[1])["Quantity"] == "250")

        // alice -> bob 100
        #expect(tags(messages(out[2])[1])["Sender"] == alice)
        #expect(messages(out[2])[1]["Target"] as? String == bob)

        // bob tries 5000 with 100: an error reply, nothing moves.
        let insufficient = messages(out[3])
        #expect(insufficient.count == 1)
        #expect(tags(insufficient[0])["Action"] == "Transfer-Error")
        #expect(tags(insufficient[0])["Error"] == "Insufficient Balance!")

        // A transfer without a quantity.
        #expect(tags(messages(out[4])[0])["Error"]?.contains("Quantity is required") == true)

        // alice may not mint; the owner may.
        #expect(tags(messages(out[5])[0])["Action"] == "Mint-Error")
        #expect(messages(out[6])[0]["Data"] as? String == "Successfully minted 1")

        // alice holds 250 - 100 = 150.
        #expect(tags(messages(out[7])[0])["Balance"] == "150")

        // Supply: 1,000,000 initial + 1 minted.
        #expect(messages(out[8])[0]["Data"] as? String == "1000001")
        #expect(out.allSatisfy { $0["Error"] == nil })
    }

    @Test func aMalformedLineGetsAnErrorAndTakesNoSlot() throws {
        var runner = try ProcessRunner(moduleSource: "X = 1")
        _ = runner.boot()
        #expect(throws: (any Error).self) { try runner.handle(jsonLine: "{not json") }
        #expect(throws: (any Error).self) { try runner.handle(jsonLine: #"{"Tags": 5}"#) }
        #expect(throws: (any Error).self) { try runner.handle(jsonLine: #"[1, 2]"#) }
        let ok = try runner.handle(jsonLine: #"{"Action":"Eval","Data":"X + 1"}"#)
        #expect(ok.contains(#""Slot":1"#))
        #expect(ok.contains("2"))
    }
}
