import ArgumentParser
import Cluster
import Foundation
import Ledger

/// `starlane verify`: replays logs from genesis and checks chains, signatures,
/// results and snapshot state hashes. Exits non-zero naming the first mismatch.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay and check a node's database, or an export, from genesis.")

    @Option(help: "The node's SQLite database.")
    var db: String?

    @Option(help: "Only this process (with --db).")
    var process: String?

    @Option(help: "An export (JSON lines) to verify without the database.")
    var log: String?

    @Flag(help: "Print nothing but the verdict.")
    var quiet = false

    func validate() throws {
        guard (db == nil) != (log == nil) else { throw ValidationError("give exactly one of --db or --log") }
    }

    func run() throws {
        var verifier = Verifier()
        if !quiet {
            verifier.progress = { process, slot, total in
                FileHandle.standardError.write(Data("  \(total) entries… (\(process.prefix(8)) slot \(slot))\n".utf8))
            }
        }
        let report: Verifier.Report
        if let log {
            let text = try String(contentsOfFile: log, encoding: .utf8)
            report = try verifier.verify(exportLines: text.split(separator: "\n").map(String.init))
        } else {
            guard FileManager.default.fileExists(atPath: db!) else { throw ValidationError("no database at \(db!)") }
            let ledger = try Ledger(path: db!)
            defer { ledger.close() }
            report = try verifier.verify(ledger: ledger, process: process)
        }
        if let failure = report.failure {
            print("FAILED: \(failure)")
            throw ExitCode(1)
        }
        print("OK: \(report.processes) processes, \(report.entries) entries, \(report.snapshots) snapshots verified")
    }
}

/// `starlane export`: one process's log as JSON lines, for third parties.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a process's log (with its module and the node's key) as JSON lines.")

    @Option(help: "The node's SQLite database.")
    var db: String

    @Option(help: "The process to export.")
    var process: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("no database at \(db)") }
        let ledger = try Ledger(path: db)
        defer { ledger.close() }
        try ledger.export(process: process) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}
