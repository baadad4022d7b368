import Foundation
import Testing
@testable import Terminal

struct LineEditorTests {
    let left: [UInt8] = [0x1B, 0x5B, 0x44], right: [UInt8] = [0x1B, 0x5B, 0x43]
    let up: [UInt8] = [0x1B, 0x5B, 0x41], down: [UInt8] = [0x1B, 0x5B, 0x42]
    let home: [UInt8] = [0x1B, 0x5B, 0x48], end: [UInt8] = [0x1B, 0x4F, 0x46]
    let delete: [UInt8] = [0x1B, 0x5B, 0x33, 0x7E]

    func typed(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func typingInsertsAtTheCursor() {
        var editor = LineEditor()
        #expect(editor.feed(typed("ac") + left + typed("b")) == [.edited, .edited, .edited, .edited])
        #expect(editor.line == "abc" && editor.cursor == 2)
    }

    @Test func homeEndAndControlKeysMoveTheCursor() {
        var editor = LineEditor()
        _ = editor.feed(typed("hello"))
        _ = editor.feed(home)
        #expect(editor.cursor == 0)
        _ = editor.feed(end)
        #expect(editor.cursor == 5)
        _ = editor.feed([0x01])
        #expect(editor.cursor == 0)
        _ = editor.feed(right + right)
        #expect(editor.cursor == 2)
        _ = editor.feed([0x05])
        #expect(editor.cursor == 5)
        _ = editor.feed([0x1B, 0x5B, 0x31, 0x7E]) // ESC [1~ (Home on some terminals)
        #expect(editor.cursor == 0)
    }

    @Test func backspaceAndDeleteRemoveEitherSideOfTheCursor() {
        var editor = LineEditor()
        _ = editor.feed(typed("abcd") + left + left)
        _ = editor.feed([0x7F])
        #expect(editor.line == "acd" && editor.cursor == 1)
        _ = editor.feed(delete)
        #expect(editor.line == "ad" && editor.cursor == 1)
        _ = editor.feed([0x04]) // Ctrl-D on a non-empty line deletes forward
        #expect(editor.line == "a" && editor.cursor == 1)
        _ = editor.feed(home + [0x7F]) // backspace at column 0 does nothing
        #expect(editor.line == "a" && editor.cursor == 0)
    }

    @Test func enterSubmitsTheLineAndRemembersItOnce() {
        var editor = LineEditor()
        #expect(editor.feed(typed("X = 1\r")).last == .submit("X = 1"))
        #expect(editor.feed(typed("X = 1\r")).last == .submit("X = 1"))
        #expect(editor.feed(typed("   \r")).last == .submit("   "))
        #expect(editor.history.lines == ["X = 1"])
        #expect(editor.line.isEmpty && editor.cursor == 0)
    }

    @Test func upAndDownWalkTheHistoryAndBringBackTheDraft() {
        var editor = LineEditor(history: LineHistory(lines: ["one", "two"]))
        _ = editor.feed(typed("dra"))
        _ = editor.feed(up)
        #expect(editor.line == "two" && editor.cursor == 3)
        _ = editor.feed(up + up) // stops at the oldest
        #expect(editor.line == "one")
        _ = editor.feed(down)
        #expect(editor.line == "two")
        _ = editor.feed(down)
        #expect(editor.line == "dra")
        _ = editor.feed(down) // past the draft: nothing more
        #expect(editor.line == "dra")
        _ = editor.feed([0x10]) // Ctrl-P
        #expect(editor.line == "two")
    }

    @Test func controlCDropsTheLineAndControlDOnAnEmptyLineEnds() {
        var editor = LineEditor()
        #expect(editor.feed(typed("junk") + [0x03]).last == .interrupt)
        #expect(editor.line.isEmpty && editor.history.lines.isEmpty)
        #expect(editor.feed([0x04]) == [.endOfInput])
    }

    @Test func multiByteCharactersAreOneColumn() {
        var editor = LineEditor()
        _ = editor.feed(typed("é☄x") + left + [0x7F])
        #expect(editor.line == "éx" && editor.cursor == 1)
        #expect(editor.feed(typed("\r")) == [.submit("éx")])
    }

    @Test func killKeysCutToEitherEndOrAWord() {
        var editor = LineEditor()
        _ = editor.feed(typed("local x = 1") + left + left + [0x0B])
        #expect(editor.line == "local x =")
        _ = editor.feed([0x17])
        #expect(editor.line == "local x ")
        _ = editor.feed(left + [0x15])
        #expect(editor.line == " " && editor.cursor == 0)
    }

    @Test func unknownEscapeSequencesAreSwallowedWhole() {
        var editor = LineEditor()
        _ = editor.feed([0x1B, 0x5B, 0x31, 0x3B, 0x35, 0x43] + typed("a")) // Ctrl-Right, then a
        #expect(editor.line == "a")
    }

    @Test func renderRedrawsThePromptAndPutsTheCursorBack() {
        var editor = LineEditor()
        _ = editor.feed(typed("abc") + left + left)
        #expect(editor.render(prompt: "> ") == "\r> abc\u{1B}[K\u{1B}[2D")
    }

    @Test func historyIsBoundedAndSurvivesASaveAndLoad() throws {
        var history = LineHistory(limit: 3)
        for line in ["a", "b", "c", "d"] { history.add(line) }
        #expect(history.lines == ["b", "c", "d"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-history-\(UUID().uuidString)/pid").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try history.save(to: path)
        #expect(LineHistory.load(from: path, limit: 2).lines == ["c", "d"])
        #expect(LineHistory.path(for: "abc", environment: ["STARLANE_HOME": "/tmp/sl"]) == "/tmp/sl/history/abc")
    }
}
