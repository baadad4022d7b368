import ArgumentParser
import Cluster
import Foundation

/// `starlane run`: one process in memory, fed JSON-line messages; one JSON line out
/// per message. How to try a process without a server (docs/RUNNER.md).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Host one process in memory and feed it messages as JSON lines.")

    @Argument(help: "The process module: Lua source evaluated as its boot code.")
    var module: String

    @Option(help: "The process id (43 characters). Default: derived from the module.")
    var id: String?

    @Option(help: "The owner's address. Default: a fixed developer address.")
    var owner: String?

    @Option(help: "A file of JSON lines, one message each. Default: standard input.")
    var msgs: String?

    @Option(help: "Instructions one message may run.")
    var budget: Int64 = LuaDefaults.instructions

    @Option(help: "Memory cap of the process, in MiB.")
    var memory: Int = LuaDefaults.memoryMiB

    func run() throws {
        let source = try String(contentsOfFile: module, encoding: .utf8)
        var runner = try ProcessRunner(
            moduleSource: source,
            id: id,
            owner: owner,
            limits: .init(memoryBytes: memory << 20, instructionsPerCall: budget))
        let boot = runner.boot()
        if !boot.output.isEmpty { FileHandle.standardError.write(Data((boot.output + "\n").utf8)) }
        if let error = boot.error {
            throw ValidationError("the module failed to boot: \(error)")
        }
        let input = try msgs.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? .standardInput
        for line in LineReader(input) where !line.allSatisfy(\.isWhitespace) {
            let answer: String
            do {
                answer = try runner.handle(jsonLine: line)
            } catch {
                answer = ProcessRunner.errorLine("\(error)")
            }
            FileHandle.standardOutput.write(Data((answer + "\n").utf8))
        }
    }
}

enum LuaDefaults {
    static let instructions: Int64 = 100_000_000
    static let memoryMiB = 256
}

/// Reads a file handle line by line without loading it whole.
struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer = Data()
    private var done = false

    init(_ handle: FileHandle) { self.handle = handle }

    mutating func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                return String(decoding: line, as: UTF8.self)
            }
            if done {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            let chunk = handle.availableData
            if chunk.isEmpty { done = true } else { buffer.append(chunk) }
        }
    }
}
