import Foundation
import Testing

/// `starlane bench` end to end at a tiny scale: every row a suite promises is there
/// with a measured (positive, finite) value and baseline, and a bad suite is refused.
@Suite struct BenchCommandTests {
    struct Row: Decodable {
        var suite: String
        var figure: String
        var value: Double
        var baseline: Double
    }

    @Test func suitesReportTheirRowsAsJSON() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Starlane.run(["bench", "send", "pingpong", "replay", "tick", "--scale", "0.01", "--json", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try JSONDecoder().decode([Row].self, from: Data(contentsOf: file))
        #expect(rows.allSatisfy { $0.value.isFinite && $0.value > 0 && $0.baseline.isFinite && $0.baseline > 0 },
                "\(rows.filter { !($0.value > 0 && $0.baseline > 0) }.map(\.figure))")
        let figures = Set(rows.map(\.figure))
        var expected = ["one-way send, same shard, durable (msg/s)", "round trip p50, same shard, durable (µs)",
                        "restart until serving (s)", "handlers' share of tick CPU (%)",
                        "a player's Sector-Update, CPU (µs)", "a sector's Tick, CPU (µs)"]
        if ProcessInfo.processInfo.activeProcessorCount > 1 {   // one shard per core: two shards need two
            expected += ["one-way send, two shards, durable (msg/s)", "round trip p50, two shards, durable (µs)"]
        }
        for figure in expected { #expect(figures.contains(figure), "missing: \(figure)") }
        #expect(result.stdout.contains("ratio"))
    }

    @Test func anUnknownSuiteIsRefused() throws {
        let result = try Starlane.run(["bench", "no-such-suite"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("unknown suite 'no-such-suite'"))
    }
}
