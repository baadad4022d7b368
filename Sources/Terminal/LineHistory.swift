import Foundation

/// The lines typed before, oldest first, bounded; saved one per line in a file per
/// process (`$STARLANE_HOME/history/<pid>`, else `~/.starlane/history/<pid>`).
public struct LineHistory: Equatable, Sendable {
    public private(set) var lines: [String]
    public let limit: Int

    public init(lines: [String] = [], limit: Int = 1_000) {
        self.limit = limit
        self.lines = Array(lines.suffix(limit))
    }

    /// Adds a line unless it is blank or repeats the last one (as shells do).
    public mutating func add(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, !line.contains("\n"), lines.last != line else { return }
        lines.append(line)
        if lines.count > limit { lines.removeFirst(lines.count - limit) }
    }

    /// Where the history of `process` lives.
    public static func path(for process: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let home = environment["STARLANE_HOME"] ?? (NSHomeDirectory() as NSString).appendingPathComponent(".starlane")
        let safe = process.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return ((home as NSString).appendingPathComponent("history") as NSString).appendingPathComponent(safe)
    }

    /// The saved history, or an empty one when there is none yet.
    public static func load(from path: String, limit: Int = 1_000) -> LineHistory {
        guard let data = FileManager.default.contents(atPath: path) else { return LineHistory(limit: limit) }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        return LineHistory(lines: lines, limit: limit)
    }

    /// Writes the whole (bounded) history; a failure only loses history, so it is reported, not fatal.
    public func save(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
