internal import GRDB

/// Everything the ledger reports as a failure. Misuse (a flush from the writer thread)
/// is a precondition instead.
public enum LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `submit` found the bounded queue full; the batch was not taken and its completion
    /// will never run. Retry after some completions, or slow the producer.
    case queueFull(pendingWrites: Int, limit: Int)
    /// The ledger is closed (or closing): nothing more is accepted.
    case closed
    /// A record is malformed (wrong hash size, empty id, half an origin, ...).
    case invalidRecord(String)
    /// A batch does not continue the stored chain of a process; nothing of it was written.
    case chain(ChainFailure)
    /// An id is already stored with different content (modules and processes are immutable).
    case conflict(String)
    /// A process, module or row that was asked for does not exist.
    case notFound(String)
    /// A stored row could not be decoded.
    case corrupt(String)
    /// SQLite failed. `code` is SQLite's extended result code.
    case database(code: Int32, message: String, sql: String?)

    public var description: String {
        switch self {
        case .queueFull(let pending, let limit):
            return "ledger queue full: \(pending) writes pending (limit \(limit))"
        case .closed:
            return "the ledger is closed"
        case .invalidRecord(let detail):
            return "invalid record: \(detail)"
        case .chain(let failure):
            return "chain mismatch: \(failure)"
        case .conflict(let detail):
            return "conflict: \(detail)"
        case .notFound(let detail):
            return "not found: \(detail)"
        case .corrupt(let detail):
            return "corrupt ledger row: \(detail)"
        case .database(let code, let message, let sql):
            return "SQLite error \(code): \(message)" + (sql.map { " — while executing `\($0)`" } ?? "")
        }
    }

    /// The one place where errors of GRDB and of the raw SQLite helpers become ledger errors.
    static func from(_ error: any Error) -> LedgerError {
        switch error {
        case let error as LedgerError:
            return error
        case let error as DatabaseError:
            return .database(code: error.extendedResultCode.rawValue,
                             message: error.message ?? "\(error)", sql: error.sql)
        default:
            return .database(code: -1, message: "\(error)", sql: nil)
        }
    }
}
