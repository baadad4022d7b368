import Foundation
import Testing

/// The crash test of DESIGN.md's invariants: a node moving money between 100
/// account processes is killed with SIGKILL at random moments, 20 times. After
/// every restart the money is all there, no transfer was applied twice, every
/// acknowledged transfer is in the log, and `starlane verify` replays the whole log
/// from genesis without a mismatch.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test(.timeLimit(.minutes(8)))
    func killingTheNodeAtRandomMomentsLosesAndDuplicatesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("node.db").path
        let acks = directory.appendingPathComponent("acks").path
        var generator = SystemRandomNumberGenerator()
        var acknowledged = 0

        for round in 1...20 {
            let worker = try Starlane.start(["workload", "transfers", "--db", db, "--accounts", "100",
                                             "--concurrency", "16", "--snapshot-every", "25", "--acks", acks])
            #expect(worker.waitForLine(prefix: "READY", seconds: 120), "round \(round): the node did not come up")
            Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.6, using: &generator))
            worker.kill(SIGKILL)

            let check = try Starlane.run(["workload", "check", "--db", db, "--acks", acks])
            #expect(check.status == 0, "round \(round): \(check.stderr)")
            let summary = try #require(
                JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Int],
                "round \(round): \(check.stdout)")
            #expect(summary["processes"] == 100, "round \(round)")
            #expect(summary["total"] == 100 * 1000, "round \(round): money was created or lost: \(summary)")
            #expect(summary["duplicates"] == 0, "round \(round): a transfer was applied twice")
            #expect(summary["missingAcks"] == 0, "round \(round): an acknowledged transfer is missing")

            let verify = try Starlane.run(["verify", "--db", db, "--quiet"])
            #expect(verify.status == 0, "round \(round): \(verify.stdout) \(verify.stderr)")
            #expect(verify.stdout.contains("OK: 100 processes"))
            acknowledged = (try? String(contentsOfFile: acks, encoding: .utf8))?.split(separator: "\n").count ?? 0
        }
        #expect(acknowledged > 100)   // the kills did not all land before any work was done
    }
}

/// SIGTERM and SIGINT stop a node cleanly: it finishes the batch in flight,
/// exits 0, and the world it leaves is consistent.
@Suite(.serialized) struct SignalStopTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsTheNodeCleanly(signal: Int32) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("node.db").path
        let acks = directory.appendingPathComponent("acks").path
        let worker = try Starlane.start(["workload", "transfers", "--db", db, "--accounts", "10", "--acks", acks])
        #expect(worker.waitForLine(prefix: "READY", seconds: 60))
        Thread.sleep(forTimeInterval: 0.5)
        Foundation.kill(worker.process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(20)
        while worker.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!worker.process.isRunning, "the node did not stop on signal \(signal)")
        #expect(worker.process.terminationReason == .exit)
        #expect(worker.process.terminationStatus == 0)

        let check = try Starlane.run(["workload", "check", "--db", db, "--acks", acks])
        #expect(check.stdout.contains(#""total":10000"#), "\(check.stdout)")
        #expect(check.stdout.contains(#""duplicates":0"#))
        #expect(check.stdout.contains(#""missingAcks":0"#))
    }
}
