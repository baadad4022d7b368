import Foundation
import Testing

/// The `starlane run` executable end to end: a real process reading JSON lines.
@Suite struct RunCommandTests {
    func run(_ arguments: [String], input: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try Starlane.run(arguments, input: input)
    }

    @Test func theTokenScenarioRunsFromTheCommandLine() throws {
        let result = try run(["run", "examples/token.lua", "--msgs", "examples/token-transfers.jsonl"], input: "")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 9)
        #expect(lines[1].contains("Credit-Notice"))
        #expect(lines[3].contains("Insufficient Balance!"))
        #expect(lines[8].contains("1000001"))
    }

    @Test func messagesComeFromStandardInputAndBadLinesGetErrors() throws {
        let input = """
            {"Action":"Eval","Data":"Greeting"}
            this is not json
            {"Action":"Eval","Data":"Greeting .. '!'"}

            """
        let result = try run(["run", "/dev/stdin-module-placeholder"], input: input)
        #expect(result.status != 0)   // the module file does not exist
        let module = FileManager.default.temporaryDirectory.appendingPathComponent("greeting-\(UUID()).lua")
        try "Greeting = 'hello'".write(to: module, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: module) }
        let ok = try run(["run", module.path], input: input)
        #expect(ok.status == 0, "\(ok.stderr)")
        let lines = ok.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].contains(#""Output":"hello""#))
        #expect(lines[1].hasPrefix(#"{"Error":"#))
        #expect(lines[2].contains(#""Slot":2"#))
        #expect(lines[2].contains("hello!"))
    }

    @Test func aModuleThatFailsToBootExitsWithItsError() throws {
        let module = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID()).lua")
        try "this is = not lua".write(to: module, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: module) }
        let result = try run(["run", module.path], input: "")
        #expect(result.status != 0)
        #expect(result.stderr.contains("failed to boot"))
    }
}
