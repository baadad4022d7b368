import ArgumentParser
import Cluster
import Foundation

/// `starlane workload`: drives a node with bank transfers between account
/// processes. The crash test kills it at random moments (`transfers`), then checks
/// the recovered world (`check`).
struct WorkloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workload",
        abstract: "Run or check the bank-transfer workload (crash tests, soak runs).",
        subcommands: [Transfers.self, Check.self])

    static let owner = Identifiers.derive("starlane", "workload")

    struct Transfers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Spawn accounts if needed, then transfer until stopped.")

        @Option(help: "The node's SQLite database.") var db: String
        @Option(help: "The account module.") var module = "examples/account.lua"
        @Option(help: "Accounts to spawn on a new database.") var accounts = 100
        @Option(help: "Transfers in flight at once.") var concurrency = 32
        @Option(help: "Stop after this many seconds (0: never).") var seconds: Double = 0
        @Option(help: "Append the id of every durable (acknowledged) transfer to this file.") var acks: String?
        @Option(help: "A durable snapshot of each account every this many slots.") var snapshotEvery: Int64 = 1_000
        @Option(help: "Loops (threads) running processes. Default: one per core.") var shards: Int?

        func run() async throws {
            var configuration = NodeConfiguration(databasePath: db)
            configuration.snapshotEvery = snapshotEvery
            if let shards { configuration.shards = shards }
            let node = try Node(configuration: configuration)
            try node.start()
            node.stopOnSignals { signal in
                FileHandle.standardError.write(Data("signal \(signal): finishing the current batch\n".utf8))
            }
            var ids = try await node.processIDs()
            if ids.isEmpty {
                let source = try String(contentsOfFile: module, encoding: .utf8)
                for _ in 0..<accounts {
                    ids.append(try await node.spawn(module: source, owner: WorkloadCommand.owner).process)
                }
            }
            let ackFile = try acks.map { path -> FileHandle in
                if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.seekToEnd()
                return handle
            }
            FileHandle.standardOutput.write(Data("READY \(ids.count) accounts\n".utf8))
            let deadline = seconds > 0 ? Date().addingTimeInterval(seconds) : .distantFuture
            let accounts = ids
            // A signal stops the node; the workers then see `.stopped` and end.
            try? await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        var random = SystemRandomNumberGenerator()
                        var n = 0
                        while Date() < deadline {
                            let from = accounts.randomElement(using: &random)!
                            let to = accounts.randomElement(using: &random)!
                            let id = Identifiers.derive("transfer", String(worker), String(n), UUID().uuidString)
                            n += 1
                            let receipt = try await node.push(
                                to: from, from: WorkloadCommand.owner,
                                tags: [Tag("Action", "Transfer"), Tag("Recipient", to), Tag("Quantity", String(Int.random(in: 1...5)))],
                                id: id)
                            if let ackFile { ackFile.write(Data((receipt.id + "\n").utf8)) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            try? await node.waitUntilIdle()
            node.stop()
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recover the world and check its invariants (JSON out).")

        @Option(help: "The node's SQLite database.") var db: String
        @Option(help: "Ids of acknowledged transfers, one per line.") var acks: String?
        @Option(help: "Loops (threads) running processes. Default: one per core.") var shards: Int?

        func run() async throws {
            var configuration = NodeConfiguration(databasePath: db)
            if let shards { configuration.shards = shards }
            let node = try Node(configuration: configuration)
            try node.start()
            try await node.waitUntilIdle()
            var total = 0, duplicates = 0
            let ids = try await node.processIDs()
            for id in ids {
                total += Int(try await node.inspect(id, "return tostring(Balance)") ?? "") ?? 0
                duplicates += Int(try await node.inspect(id, "return tostring(Duplicates)") ?? "") ?? 0
            }
            var missing = 0
            if let acks {
                let text = (try? String(contentsOfFile: acks, encoding: .utf8)) ?? ""
                for line in text.split(separator: "\n") where line.count == 43 {
                    if try node.ledger.assignment(messageID: String(line)) == nil { missing += 1 }
                }
            }
            let recovery = node.recovery
            node.stop()
            print(#"{"processes":\#(ids.count),"total":\#(total),"duplicates":\#(duplicates),"missingAcks":\#(missing),"redelivered":\#(recovery.redelivered)}"#)
        }
    }
}
