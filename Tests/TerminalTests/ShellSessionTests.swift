import Client
import Foundation
import Identity
import Testing
@testable import Terminal

/// A session fed lines programmatically against a real node and gateway.
@Suite(.serialized) struct ShellSessionTests {
    static let module = """
        Handlers.add('Say', 'Say', function(msg) print('said ' .. msg.Data) end)
        """

    let harness: NodeHarness
    let process: String

    init() throws {
        harness = try NodeHarness()
        process = try harness.spawn(Self.module, tags: [ClientTag("Name", "Tester")])
    }

    func session(key: ClientKey? = nil) throws -> (ShellSession, Transcript) {
        let transcript = Transcript()
        let session = ShellSession(client: try harness.client(key), process: process) { output in
            transcript.append(isError: output.isError, output.text)
        }
        try session.connect()
        return (session, transcript)
    }

    @Test func anEvalShowsItsValueAndKeepsItsState() throws {
        let (shell, transcript) = try session()
        #expect(shell.handle("X = 41 + 1") == .proceed)
        shell.handle("X")
        shell.handle("print('hello'); return X * 2")
        #expect(transcript.outputs == ["42", "hello\n84"])
        #expect(transcript.errors.isEmpty)
    }

    @Test func aSyntaxErrorIsReportedAndTheNextEvalStillWorks() throws {
        let (shell, transcript) = try session()
        shell.handle("X = 5")
        shell.handle("X = = 1")
        shell.handle("error('boom')")
        shell.handle("X + 1")
        #expect(transcript.errors.count == 2)
        #expect(transcript.errors.first?.contains("unexpected symbol") == true, "\(transcript.errors)")
        #expect(transcript.errors.last?.contains("boom") == true)
        #expect(transcript.outputs == ["6"])
    }

    @Test func thePromptIsTheProcesssOwnAndFollowsTheInbox() throws {
        let (shell, _) = try session()
        // The spawn message is the Inbox's first, as in aos.
        #expect(shell.prompt == "Tester@starlane[Inbox:1]> ")
        _ = try harness.client(ClientKey()).push(to: process, tags: [ClientTag("Action", "Ping")], data: "hi", waitForResult: true)
        shell.handle("1")
        #expect(shell.prompt == "Tester@starlane[Inbox:2]> ")
    }

    @Test func loadSendsAFileWithItsLocalRequires() throws {
        let files = try LuaFiles([
            "app/main.lua": "local util = require('util')\nGreeting = util.greet('ao')\n",
            "app/util.lua": "local M = {}\nfunction M.greet(who) return 'hi ' .. who end\nfunction M.double(x) return 2 * x end\nreturn M\n",
        ])
        let (shell, transcript) = try session()
        shell.handle(".load \(files.path("app/main.lua"))")
        shell.handle("Greeting")
        shell.handle("require('util').double(21)")
        #expect(transcript.errors.isEmpty, "\(transcript.errors)")
        #expect(transcript.outputs.first?.hasPrefix("loading") == true)
        #expect(Array(transcript.outputs.suffix(2)) == ["hi ao", "42"])
    }

    @Test func loadOfAMissingModuleSendsNothing() throws {
        let files = try LuaFiles(["main.lua": "Loaded = true\nrequire('absent')\n"])
        let (shell, transcript) = try session()
        shell.handle(".load \(files.path("main.lua"))")
        shell.handle("Loaded == nil")
        #expect(transcript.errors.count == 1 && transcript.errors[0].contains("main.lua:2: require(\"absent\")"))
        #expect(transcript.outputs == ["true"])
    }

    @Test func aStrangersEvalIsRefusedWithTheProcesssWords() throws {
        let (shell, transcript) = try session(key: ClientKey())
        #expect(shell.prompt == "\(process.prefix(6))@starlane> ")
        shell.handle("X = 1")
        #expect(transcript.errors.count == 1)
        #expect(transcript.errors.first?.contains("Only the owner can Eval") == true, "\(transcript.errors)")
        #expect(transcript.outputs.isEmpty)
    }

    @Test func inboxShowsAMessageSentToTheProcess() throws {
        let (shell, transcript) = try session()
        let stranger = ClientKey()
        _ = try harness.client(stranger).push(to: process, tags: [ClientTag("Action", "Ping")], data: "hello there",
                                              waitForResult: true)
        shell.handle(".inbox")
        #expect(transcript.errors.isEmpty, "\(transcript.errors)")
        let shown = try #require(transcript.outputs.last)
        // The spawn message is the first (as in aos); the stranger's is the last line.
        #expect(shown.hasPrefix("Inbox: 2 messages\n"), "\(shown)")
        let last = try #require(shown.split(separator: "\n").last)
        #expect(last == "  2  From \(stranger.address.prefix(6))…\(stranger.address.suffix(4))  Action Ping  Data hello there",
                "\(shown)")
    }

    @Test func theEditorSendsSeveralLinesAsOneEval() throws {
        let (shell, transcript) = try session()
        shell.handle(".editor")
        shell.handle("local total = 0")
        shell.handle("for i = 1, 4 do total = total + i end")
        #expect(shell.editorLines?.count == 2)
        shell.handle("return total")
        shell.handle(".done")
        #expect(shell.editorLines == nil)
        #expect(transcript.outputs.last == "10")
        shell.handle(".editor")
        shell.handle("Y = 1")
        shell.handle(".cancel")
        shell.handle("Y == nil")
        #expect(transcript.outputs.last == "true")
    }

    @Test func liveShowsWhatOthersMakeTheProcessPrint() throws {
        let (shell, transcript) = try session()
        shell.handle(".live")
        #expect(transcript.outputs.last?.hasPrefix("live on") == true)
        // `.live` answers once its stream is open, so nothing after it is missed.
        shell.handle("print('mine')")
        _ = try harness.client(ClientKey()).push(to: process, tags: [ClientTag("Action", "Say")], data: "x", waitForResult: true)
        #expect(transcript.waitFor { $0.text.hasSuffix("(Say): said x") }, "\(transcript.all)")
        // The shell's own Eval was printed once, from its result, not again from the stream.
        #expect(transcript.outputs.filter { $0.contains("mine") } == ["mine"])
        shell.close()
    }

    @Test func monitorShowsOnlyWhatTheProcessPrintsOnItsOwn() throws {
        let ticking = try harness.spawn("""
            Ticks = 0
            Handlers.add('Tick', 'Cron', function() Ticks = Ticks + 1 print('tick ' .. Ticks) end)
            Handlers.add('Say', 'Say', function(msg) print('said ' .. msg.Data) end)
            """, tags: [ClientTag("Cron-Interval", "100-milliseconds"), ClientTag("Cron-Tag-Action", "Cron")])
        let transcript = Transcript()
        let shell = ShellSession(client: try harness.client(), process: ticking) { transcript.append(isError: $0.isError, $0.text) }
        try shell.connect()
        defer { shell.close() }
        shell.handle(".monitor")
        #expect(transcript.waitFor { $0.text.hasPrefix("tick ") }, "\(transcript.all)")
        _ = try harness.client(ClientKey()).push(to: ticking, tags: [ClientTag("Action", "Say")], data: "x", waitForResult: true)
        let ticksSoFar = transcript.outputs.filter { $0.hasPrefix("tick ") }.count
        #expect(transcript.waitFor { _ in transcript.outputs.filter { $0.hasPrefix("tick ") }.count >= ticksSoFar + 2 })
        #expect(!transcript.outputs.contains { $0.contains("said") }, "\(transcript.all)")
        shell.handle(".monitor")
        #expect(transcript.outputs.contains("monitor off"))
    }

    @Test func anUnknownProcessOrADownServerIsSaidPlainly() throws {
        let ghost = ShellSession(client: try harness.client(), process: String(repeating: "A", count: 43)) { _ in }
        #expect(throws: ShellError("unknown process \(String(repeating: "A", count: 43)) on \(harness.url)")) { try ghost.connect() }
        let down = ShellSession(client: try StarlaneClient(server: "http://127.0.0.1:1", key: harness.key), process: process) { _ in }
        #expect { try down.connect() } throws: { "\($0)".contains("cannot reach the server at http://127.0.0.1:1") }
    }
}
