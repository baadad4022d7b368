import Client
import Foundation
import HTTP

/// One shell attached to one process: turns typed lines into signed `Action = Eval`
/// messages and dot commands, and reports what happened through `emit`. It holds no
/// terminal: the console (or a test) feeds it lines and shows what it emits.
/// Lines come from one thread; `emit` may also be called from the stream thread.
public final class ShellSession: @unchecked Sendable {
    /// Whether the shell goes on after a line.
    public enum Step: Equatable, Sendable {
        case proceed
        case exit
    }

    public let process: String
    public let server: String
    private let client: StarlaneClient
    private let emit: @Sendable (ShellOutput) -> Void
    private let bundler = LuaBundler()
    /// Lines typed since `.editor`; nil when not in the editor.
    public private(set) var editorLines: [String]?
    /// The last prompt the process answered (`Prompt()`), without colours when `coloured` is false.
    public private(set) var prompt: String
    private let coloured: Bool
    let stream: ShellStream

    /// `client` must carry the key that signs the Evals (only the process's Owner may Eval).
    public init(client: StarlaneClient, process: String, coloured: Bool = false,
                emit: @escaping @Sendable (ShellOutput) -> Void) {
        self.client = client
        self.process = process
        let url = client.server.description
        server = client.server.path == "/" ? String(url.dropLast()) : url
        self.coloured = coloured
        self.emit = emit
        prompt = Self.fallbackPrompt(process)
        stream = ShellStream(server: client.server.description, process: process, me: client.key?.address, emit: emit)
    }

    /// Checks the server answers and knows the process, and fetches the first prompt.
    public func connect() throws {
        do { _ = try client.state(process) } catch let error as ClientError {
            throw ShellError(Self.describe(error, process: process, server: server))
        }
        refreshPrompt()
    }

    /// Handles one typed line.
    @discardableResult
    public func handle(_ line: String) -> Step {
        if editorLines != nil { return collect(line) }
        switch ShellInput.parse(line) {
        case .empty: break
        case .eval(let code): evalShowing(code)
        case .load(let path): load(path)
        case .editor:
            editorLines = []
            emit(.note("editor: type Lua over several lines; .done sends it, .cancel drops it"))
        case .done, .cancel: emit(.error("not in the editor (.editor starts it)"))
        case .monitor:
            let on = stream.toggle(.monitor)
            emit(.note(on ? "monitor on: showing what the process prints on its own (cron ticks)" : "monitor off"))
        case .live:
            let on = stream.toggle(.live)
            emit(.note(on ? "live on: showing every event of the process's stream" : "live off"))
        case .inbox(let count): inbox(last: count)
        case .help: emit(.note(ShellInput.helpText))
        case .exit: return .exit
        case .invalid(let why): emit(.error(why))
        }
        return .proceed
    }

    /// Sends `code` as one Eval; answers the result, or throws the refusal in plain words.
    public func eval(_ code: String) throws(ShellError) -> ClientResult {
        let answer: PushAnswer
        do {
            answer = try client.push(to: process, tags: [ClientTag("Action", "Eval")], data: code, waitForResult: true)
        } catch let error as ClientError {
            throw ShellError(Self.describe(error, process: process, server: server))
        } catch {
            throw ShellError("\(error)")
        }
        guard var result = answer.result else { throw ShellError("the server answered without a result (slot \(answer.slot))") }
        if let error = result.Error, error.contains("Only the owner can Eval") {
            let who = client.key.map { " (key \(InboxSummary.short($0.address)))" } ?? ""
            result.Error = "\(error): this key\(who) does not own \(InboxSummary.short(process))"
        }
        return result
    }

    /// Stops background printing. The stream thread ends at its next event.
    public func close() { stream.stop() }

    // MARK: - Lines

    private func evalShowing(_ code: String) {
        do {
            let result = try eval(code)
            let output = result.Output.hasSuffix("\n") ? String(result.Output.dropLast()) : result.Output
            if !output.isEmpty { emit(.output(output)) }
            if let error = result.Error { emit(.error(error)) }
        } catch {
            emit(.error(error.description))
        }
        refreshPrompt()
    }

    private func collect(_ line: String) -> Step {
        switch ShellInput.parse(line) {
        case .done:
            let code = (editorLines ?? []).joined(separator: "\n")
            editorLines = nil
            if code.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { emit(.note("editor: nothing to send")) } else {
                evalShowing(code)
            }
        case .cancel:
            editorLines = nil
            emit(.note("editor: dropped"))
        default:
            editorLines?.append(line)
        }
        return .proceed
    }

    private func load(_ path: String) {
        let expanded = (path as NSString).expandingTildeInPath
        do {
            let bundle = try bundler.bundle(file: expanded)
            let names = bundle.modules.map(\.name)
            emit(.note("loading \(path)" + (names.isEmpty ? "" : " with \(names.joined(separator: ", "))")))
            evalShowing(bundle.text)
        } catch {
            emit(.error(error.description))
        }
    }

    private func inbox(last count: Int) {
        do {
            let result = try client.dryRun(process, tags: [ClientTag("Action", "Eval")], data: InboxSummary.query(last: count))
            if let error = result.Error { emit(.error(error)); return }
            guard let summary = InboxSummary.decode(result.Output) else {
                emit(.error("the process answered the Inbox query with something else: \(result.Output.prefix(200))"))
                return
            }
            emit(.output(summary.formatted))
        } catch let error as ClientError {
            emit(.error(Self.describe(error, process: process, server: server)))
        } catch {
            emit(.error("\(error)"))
        }
    }

    /// The prompt comes from the process's own `Prompt()`, read by a dry run from the
    /// key's address: nothing is kept, so the log gets no extra slot per line. A key that
    /// does not own the process cannot Eval, even in a dry run: then the pid prefix stands in.
    private func refreshPrompt() {
        guard let result = try? client.dryRun(process, tags: [ClientTag("Action", "Eval")], data: "Prompt()"),
              result.Error == nil, !result.Output.isEmpty else {
            prompt = Self.fallbackPrompt(process)
            return
        }
        let text = result.Output.hasSuffix("\n") ? String(result.Output.dropLast()) : result.Output
        prompt = coloured ? text : Self.stripANSI(text)
    }

    // MARK: - Words

    static func fallbackPrompt(_ process: String) -> String { "\(process.prefix(6))@starlane> " }

    /// Removes ANSI escape sequences (the prompt's colours) for terminals that are not.
    public static func stripANSI(_ text: String) -> String {
        var out = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\u{1B}" else { out.unicodeScalars.append(scalar); continue }
            guard let next = iterator.next() else { break }
            if next == "[" { while let c = iterator.next(), !(0x40...0x7E).contains(c.value) {} }
        }
        return out
    }

    /// A refusal or transport failure as one plain sentence.
    public static func describe(_ error: ClientError, process: String, server: String) -> String {
        switch error.status {
        case nil: "cannot reach the server at \(server) (is `starlane serve` running?): \(error.message)"
        case 404: "unknown process \(process) on \(server)"
        case 401: "the server refused this key's signature: \(error.message)"
        case 429: "rate limited by the server (\(error.message)); wait a moment and try again"
        case 503: "the server is busy or stopping (\(error.message)); try again"
        case 413: "too large for the server: \(error.message)"
        case let status?: "the server refused (\(status)): \(error.message)"
        }
    }
}

/// A shell failure in plain words.
public struct ShellError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
