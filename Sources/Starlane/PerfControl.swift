import Cluster
import Foundation

/// `perf record -D -1 --control fifo:PATH` starts with sampling off and takes `enable`
/// and `disable` on PATH: `starlane bench --perf-control PATH` turns sampling on only
/// while a suite times its phase (the tick suite: each tick), so a profile holds no joins
/// or orders. docs/PERFORMANCE.md has the command.
enum PerfControl {
    nonisolated(unsafe) private static var fifo: FileHandle?

    static func open(_ path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RunnerError("cannot open perf's control FIFO \(path)")
        }
        fifo = handle
    }

    static func enable() { fifo?.write(Data("enable\n".utf8)) }
    static func disable() { fifo?.write(Data("disable\n".utf8)) }
}
