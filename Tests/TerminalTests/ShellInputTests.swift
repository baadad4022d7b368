import Testing
@testable import Terminal

struct ShellInputTests {
    @Test func plainLinesAreLuaAndBlankLinesAreNothing() {
        #expect(ShellInput.parse("X = 41 + 1") == .eval("X = 41 + 1"))
        #expect(ShellInput.parse("  ") == .empty)
        #expect(ShellInput.parse("  print('.x')") == .eval("  print('.x')"))
    }

    @Test func dotCommandsParseWithTheirArguments() {
        #expect(ShellInput.parse(".load app.lua") == .load("app.lua"))
        #expect(ShellInput.parse(" .load \"my app.lua\" ") == .load("my app.lua"))
        #expect(ShellInput.parse(".inbox") == .inbox(ShellInput.defaultInboxCount))
        #expect(ShellInput.parse(".inbox 12") == .inbox(12))
        #expect(ShellInput.parse(".editor") == .editor)
        #expect(ShellInput.parse(".done") == .done)
        #expect(ShellInput.parse(".cancel") == .cancel)
        #expect(ShellInput.parse(".monitor") == .monitor)
        #expect(ShellInput.parse(".live") == .live)
        #expect(ShellInput.parse(".help") == .help)
        #expect(ShellInput.parse(".exit") == .exit)
    }

    @Test func wrongDotCommandsSayWhy() {
        #expect(ShellInput.parse(".load") == .invalid(".load needs a file: .load FILE.lua"))
        #expect(ShellInput.parse(".inbox many") == .invalid(".inbox takes a count: .inbox 10"))
        #expect(ShellInput.parse(".exit now") == .invalid(".exit takes no argument"))
        #expect(ShellInput.parse(".frobnicate") == .invalid("unknown command .frobnicate (.help lists them)"))
    }

    @Test func ansiColoursAreStrippedFromThePrompt() {
        let prompt = "\u{1B}[32maos\u{1B}[90m@\u{1B}[34mstarlane\u{1B}[90m[Inbox:\u{1B}[31m3\u{1B}[90m]\u{1B}[0m> "
        #expect(ShellSession.stripANSI(prompt) == "aos@starlane[Inbox:3]> ")
    }

    @Test func inboxSummariesDecodeEvenWhenEmpty() throws {
        let empty = try #require(InboxSummary.decode("{\"count\":0,\"messages\":{}}"))
        #expect(empty.formatted == "Inbox: 0 messages")
        let one = try #require(InboxSummary.decode(
            "{\"count\":1,\"messages\":[{\"index\":1,\"from\":\"\(String(repeating: "a", count: 39))wxyz\",\"action\":\"Ping\",\"data\":\"hi\"}]}"))
        #expect(one.formatted == "Inbox: 1 message\n  1  From aaaaaa…wxyz  Action Ping  Data hi")
    }
}
