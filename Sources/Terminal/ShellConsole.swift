#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The shell's terminal: reads lines (edited in raw mode on a TTY, plain otherwise) and
/// shows what the session emits. Background lines go above the line being typed: clear
/// it, print, redraw prompt and buffer, all under one lock so the two never interleave.
final class ShellConsole: @unchecked Sendable {
    let interactive: Bool
    let coloured: Bool
    private let lock = NSLock()
    private var editor: LineEditor
    private var prompt = ""
    /// True while a prompt and buffer are on screen.
    private var editing = false
    private let historyPath: String?

    init(historyPath: String?) {
        interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        coloured = isatty(STDOUT_FILENO) == 1
        self.historyPath = historyPath
        editor = LineEditor(history: historyPath.map { LineHistory.load(from: $0) } ?? LineHistory())
    }

    /// Shows one thing the session emitted; safe from any thread.
    func show(_ output: ShellOutput) {
        lock.withLock {
            var text = output.text
            if coloured, output.isError { text = "\u{1B}[31m\(text)\u{1B}[0m" }
            if !interactive, output.isError {
                Self.write("error: \(text)\n", to: STDERR_FILENO)
                return
            }
            if editing {
                Self.write("\r\u{1B}[2K" + text + "\n" + editor.render(prompt: prompt), to: STDOUT_FILENO)
            } else {
                Self.write(text + "\n", to: STDOUT_FILENO)
            }
        }
    }

    /// The next line, or nil at the end of input (Ctrl-D, end of file).
    func readLine(prompt: String) -> String? {
        guard interactive, let raw = RawMode() else { return Swift.readLine(strippingNewline: true) }
        defer { raw.restore() }
        lock.withLock {
            self.prompt = prompt
            editing = true
            Self.write(editor.render(prompt: prompt), to: STDOUT_FILENO)
        }
        var byte: UInt8 = 0
        while true {
            let n = read(STDIN_FILENO, &byte, 1)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return finish(nil) }
            let event: LineEditor.Event = lock.withLock { editor.feed(byte) }
            switch event {
            case .pending: continue
            case .edited: lock.withLock { Self.write(editor.render(prompt: prompt), to: STDOUT_FILENO) }
            case .interrupt: lock.withLock { Self.write("^C\n" + editor.render(prompt: prompt), to: STDOUT_FILENO) }
            case .endOfInput: return finish(nil)
            case .submit(let line):
                saveHistory()
                return finish(line)
            }
        }
    }

    private func finish(_ line: String?) -> String? {
        lock.withLock {
            editing = false
            Self.write("\n", to: STDOUT_FILENO)
        }
        return line
    }

    private func saveHistory() {
        guard let historyPath else { return }
        let history = lock.withLock { editor.history }
        do { try history.save(to: historyPath) } catch {
            Self.write("starlane: cannot save history to \(historyPath): \(error.localizedDescription)\n", to: STDERR_FILENO)
        }
    }

    /// Writes all of `text` unbuffered, so lines from both threads keep their order.
    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
