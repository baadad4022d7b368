import Foundation

/// SIGPIPE ignored for this test process (as the event loop does for its users).
enum EventLoopSignals {
    static let ignoreBrokenPipes: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()
}

/// The `starlane` executable built beside the test bundle, run as a child process.
enum Starlane {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = products.appendingPathComponent("starlane")
        if FileManager.default.fileExists(atPath: beside.path) { return beside }
        return root.appendingPathComponent(".build/debug/starlane")
    }

    /// Runs to completion with `input` on standard input.
    static func run(_ arguments: [String], input: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = root
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // A child that exits without reading its input must not take the test run with it.
        _ = EventLoopSignals.ignoreBrokenPipes
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        nonisolated(unsafe) var err = Data()
        let reader = Thread { err = stderr.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while reader.isExecuting || !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Starts without waiting; read its output line by line.
    static func start(_ arguments: [String]) throws -> Running {
        try Running(arguments)
    }

    final class Running: @unchecked Sendable {
        let process = Process()
        private let stdout = Pipe()
        private let lock = NSLock()
        private var output = ""
        private var consumed = 0

        init(_ arguments: [String]) throws {
            process.executableURL = Starlane.binary
            process.arguments = arguments
            process.currentDirectoryURL = Starlane.root
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Reading blocks, so a thread collects the output and waits never hang.
            let handle = stdout.fileHandleForReading
            Thread { [self] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.withLock { output += String(decoding: chunk, as: UTF8.self) }
                }
            }.start()
        }

        /// Reads standard output until a line starts with `prefix`.
        func waitForLine(prefix: String, seconds: Double) -> Bool {
            line(prefix: prefix, seconds: seconds) != nil
        }

        /// The next complete line (after those already returned) that starts with `prefix`,
        /// waiting up to `seconds`.
        func line(prefix: String, seconds: Double) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            repeat {
                let found: String? = lock.withLock {
                    let unread = output.dropFirst(consumed)
                    var offset = consumed
                    for line in unread.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                        offset += line.count + 1
                        if line.hasPrefix(prefix) {
                            consumed = offset
                            return String(line)
                        }
                    }
                    return nil
                }
                if let found { return found }
                Thread.sleep(forTimeInterval: 0.02)
            } while Date() < deadline
            return nil
        }

        func kill(_ signal: Int32) {
            Foundation.kill(process.processIdentifier, signal)
            process.waitUntilExit()
        }

        deinit {
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        }
    }
}
