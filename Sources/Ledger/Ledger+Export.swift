import Foundation

extension Ledger {
    /// Writes the log of `process` as JSON lines: a header (`ExportHeader`), then one
    /// `LedgerEntry` per slot from 0. Everything comes from one read snapshot, so the last
    /// entry is signed. Each line is passed to `emit` without its newline. With `slots`,
    /// only those entries follow the header (`GET /{pid}/slots`): a range that ends before
    /// the head may end on an unsigned entry, vouched for by a later signed one.
    public func export(process id: String, slots: ClosedRange<Int64> = 0...Int64.max,
                       _ emit: (String) throws -> Void) throws(LedgerError) {
        let publicKey = self.publicKey
        try read { db in
            let processes = try RawStatement(db, SQL.processByID)
            processes.bind(1, id)
            guard let process = try processes.first({ try SQL.process($0) }) else {
                throw LedgerError.notFound("process \(id)")
            }
            let modules = try RawStatement(db, SQL.moduleByID)
            modules.bind(1, process.moduleID)
            let module = try modules.first { ModuleRecord(id: $0.text(0), source: $0.text(1)) }
            let encoder = ExportJSON.encoder()
            func line<T: Encodable>(_ value: T) throws -> String {
                String(decoding: try encoder.encode(value), as: UTF8.self)
            }
            try emit(try line(ExportHeader(nodePublicKey: publicKey, process: process, module: module)))
            try Ledger.forEachEntry(db, id, slots) { entry in
                try emit(try line(entry))
                return true
            }
        }
    }

    /// The whole export as one string, each line ended by "\n".
    public func exportJSONL(process id: String) throws(LedgerError) -> String {
        var text = ""
        try export(process: id) { line in
            text += line
            text += "\n"
        }
        return text
    }
}
