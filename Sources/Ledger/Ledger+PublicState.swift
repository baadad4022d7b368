internal import GRDB

extension Ledger {
    /// Every key of a process's public state, by key.
    public func publicState(of process: String) throws(LedgerError) -> [PublicEntry] {
        try read { db in
            let statement = try RawStatement(
                db, "SELECT key, value, slot FROM public_state WHERE process = ?1 ORDER BY key")
            statement.bind(1, process)
            var entries: [PublicEntry] = []
            try statement.forEachRow {
                entries.append(PublicEntry(process: process, key: $0.text(0), value: $0.text(1), slot: $0.int64(2)))
            }
            return entries
        }
    }

    /// One key of a process's public state, or nil.
    public func publicValue(of process: String, key: String) throws(LedgerError) -> PublicEntry? {
        try read { db in
            let statement = try RawStatement(
                db, "SELECT value, slot FROM public_state WHERE process = ?1 AND key = ?2")
            statement.bind(1, process)
            statement.bind(2, key)
            return try statement.first { PublicEntry(process: process, key: key, value: $0.text(0), slot: $0.int64(1)) }
        }
    }
}
