internal import GRDB
internal import GRDBSQLite
import Foundation

/// SQLite's SQLITE_TRANSIENT: SQLite copies the bound bytes before the call returns.
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A thin view on one of GRDB's prepared statements for the hot paths: it binds and reads
/// text by explicit length, and steps without GRDB's per-call bookkeeping.
///
/// Why not GRDB's bindings: they pass strings to SQLite as C strings
/// (`sqlite3_bind_text(…, -1, …)`, `sqlite3_column_text` read up to NUL), which would cut
/// a message's data at its first NUL byte and break its hash. See
/// <https://www.sqlite.org/c3ref/bind_blob.html>.
///
/// Valid only inside the GRDB access block that produced the statement.
struct RawStatement {
    let handle: SQLiteStatement
    let connection: SQLiteConnection
    let sql: String

    init(_ db: Database, _ sql: String) throws {
        let statement = try db.cachedStatement(sql: sql)
        guard let connection = db.sqliteConnection else { throw LedgerError.closed }
        handle = statement.sqliteStatement
        self.connection = connection
        self.sql = sql
    }

    func bind(_ index: Int32, _ value: String) {
        var value = value
        let code = value.withUTF8 { utf8 -> Int32 in
            // An empty buffer may have no base address, and a NULL pointer would bind NULL.
            guard let base = utf8.baseAddress, utf8.count > 0 else {
                return sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text64(handle, index, $0, sqlite3_uint64(utf8.count), sqliteTransient,
                                    UInt8(SQLITE_UTF8))
            }
        }
        precondition(code == SQLITE_OK, "binding parameter \(index) of `\(sql)` failed: \(code)")
    }

    /// Binds UTF-8 bytes as text.
    func bindText(_ index: Int32, utf8: [UInt8]) {
        let code = utf8.withUnsafeBufferPointer { bytes -> Int32 in
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                return sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text64(handle, index, $0, sqlite3_uint64(bytes.count), sqliteTransient,
                                    UInt8(SQLITE_UTF8))
            }
        }
        precondition(code == SQLITE_OK, "binding parameter \(index) of `\(sql)` failed: \(code)")
    }

    func bind(_ index: Int32, _ value: String?) {
        if let value { bind(index, value) } else { bindNull(index) }
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { bind(index, value) } else { bindNull(index) }
    }

    func bind(_ index: Int32, _ value: Data) {
        let code = value.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                return sqlite3_bind_zeroblob(handle, index, 0)
            }
            return sqlite3_bind_blob64(handle, index, base, sqlite3_uint64(bytes.count), sqliteTransient)
        }
        precondition(code == SQLITE_OK, "binding parameter \(index) of `\(sql)` failed: \(code)")
    }

    func bindNull(_ index: Int32) {
        sqlite3_bind_null(handle, index)
    }

    /// Runs the statement to completion; returns the number of rows it changed.
    @discardableResult
    func execute() throws -> Int {
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_DONE: return Int(sqlite3_changes(connection))
            case SQLITE_ROW: continue
            default: throw failure(code)
            }
        }
    }

    /// Calls `body` for each result row.
    func forEachRow(_ body: (RawRow) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_DONE: return
            case SQLITE_ROW: try body(RawRow(handle: handle))
            default: throw failure(code)
            }
        }
    }

    /// Calls `body` for each result row until it returns false.
    func forEachRow(while body: (RawRow) throws -> Bool) throws {
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_DONE: return
            case SQLITE_ROW: if try !body(RawRow(handle: handle)) { return }
            default: throw failure(code)
            }
        }
    }

    /// The first result row mapped by `body`, or nil when there is none.
    func first<T>(_ body: (RawRow) throws -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_DONE: return nil
        case SQLITE_ROW: return try body(RawRow(handle: handle))
        default: throw failure(code)
        }
    }

    private func failure(_ code: Int32) -> LedgerError {
        .database(code: sqlite3_extended_errcode(connection),
                  message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}

/// One result row of a `RawStatement`, valid only inside the `forEachRow` callback.
struct RawRow {
    let handle: SQLiteStatement

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    func blob(_ column: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }
}
