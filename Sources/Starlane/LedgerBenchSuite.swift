import Foundation
import Ledger

/// `starlane bench ledger`: the writer alone (queue, group commit, chain checks,
/// head signatures) appending pre-built entries, beside SQLite inserting the same rows
/// on the same schema and settings with one prepared statement (no writer).
enum LedgerBench {
    static func ledger(scale: Double) throws -> [BenchRow] {
        let rows = max(2_000, Int(200_000 * scale))
        let raw = try LedgerBenchmark.rawInsertRate(rows: rows, batchSize: 1_000, processes: 64)
        let big = try LedgerBenchmark.appendRate(rows: rows, batchSize: 1_000, processes: 64)
        let small = try LedgerBenchmark.appendRate(rows: rows / 4, batchSize: 16, processes: 64)
        let one = try LedgerBenchmark.appendRate(rows: rows, batchSize: 1_000, processes: 1)
        func row(_ figure: String, _ value: Double) -> BenchRow {
            BenchRow(suite: "ledger", figure: figure, value: value, unit: "/s",
                     baselineName: "bare SQLite inserts", baseline: raw)
        }
        return [
            row("appends/s, batches of 1,000", big),
            row("appends/s, batches of 16", small),
            row("appends/s, 1 process", one),
        ]
    }
}
