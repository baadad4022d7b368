import Foundation

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
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
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

    final class Running {
        let process = Process()
        private let stdout = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = Starlane.binary
            process.arguments = arguments
            process.currentDirectoryURL = Starlane.root
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// Reads standard output until a line starts with `prefix`.
        func waitForLine(prefix: String, seconds: Double) -> Bool {
            line(prefix: prefix, seconds: seconds) != nil
        }

        /// Reads standard output until a line starts with `prefix`; returns that line.
        func line(prefix: String, seconds: Double) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = ""
            while Date() < deadline, process.isRunning || stdout.fileHandleForReading.availableData.count > 0 {
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty { Thread.sleep(forTimeInterval: 0.01); continue }
                buffer += String(decoding: chunk, as: UTF8.self)
                if let line = buffer.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            }
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
