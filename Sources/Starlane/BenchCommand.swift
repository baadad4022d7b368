import ArgumentParser
import Foundation

/// `starlane bench`: each suite measures a figure beside a baseline taken in the
/// same run and prints both with their ratio (docs/PERFORMANCE.md).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run benchmarks (build with -c release).")

    @Argument(help: "Suites to run: \(BenchSuites.all.keys.sorted().joined(separator: ", ")). Default: all.")
    var suites: [String] = []

    @Option(help: "Also write the rows as JSON to this file.")
    var json: String?

    @Option(help: "Scale the iteration counts (0.1 for a quick look).")
    var scale: Double = 1

    @Option(help: "perf's control FIFO (perf record -D -1 --control fifo:PATH): sample only the ticks of the tick suite.")
    var perfControl: String?

    func run() throws {
        if let perfControl { try PerfControl.open(perfControl) }
        let names = suites.isEmpty ? BenchSuites.all.keys.sorted() : suites
        var rows: [BenchRow] = []
        for name in names {
            guard let suite = BenchSuites.all[name] else {
                throw ValidationError("unknown suite '\(name)'; known: \(BenchSuites.all.keys.sorted().joined(separator: ", "))")
            }
            let suiteRows = try suite(scale)
            BenchRow.printTable(suiteRows)
            rows += suiteRows
        }
        if let json {
            let data = try JSONEncoder.pretty.encode(rows)
            try data.write(to: URL(fileURLWithPath: json))
        }
    }
}

/// One measured figure, its baseline from the same run, and their ratio.
struct BenchRow: Codable {
    var suite: String
    var figure: String
    var value: Double
    var unit: String
    var baselineName: String
    var baseline: Double

    var ratio: Double { baseline == 0 ? 0 : value / baseline }

    static func printTable(_ rows: [BenchRow]) {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        print(pad("suite", 10) + pad("figure", 34) + pad("value", 22) + pad("baseline", 40) + "ratio")
        for row in rows {
            print(pad(row.suite, 10) + pad(row.figure, 34) + pad(format(row.value) + " " + row.unit, 22)
                  + pad(row.baselineName + " " + format(row.baseline) + " " + row.unit, 40)
                  + String(format: "%.3f", row.ratio))
        }
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.3f", value)
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
