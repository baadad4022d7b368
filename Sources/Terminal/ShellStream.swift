import Client
import Foundation
import HTTP

/// The background side of `.monitor` and `.live`: one thread following the process's
/// stream (with reconnects) from the first toggle on; the toggles only decide what it
/// prints. A shell's own Evals are skipped: their result was printed already.
final class ShellStream: @unchecked Sendable {
    enum Mode { case monitor, live }

    private let server: String
    private let process: String
    private let me: String?
    private let emit: @Sendable (ShellOutput) -> Void
    private let lock = NSLock()
    private var monitor = false
    private var live = false
    private var started = false
    private var stopped = false

    init(server: String, process: String, me: String?, emit: @escaping @Sendable (ShellOutput) -> Void) {
        self.server = server
        self.process = process
        self.me = me
        self.emit = emit
    }

    /// Flips a mode; answers whether it is now on. Turning the first mode on starts the
    /// follower and waits (at most `connectTimeout`) until its stream is open, so what
    /// happens after `.live` answers is shown.
    func toggle(_ mode: Mode, connectTimeout: Double = 3) -> Bool {
        let (on, start) = lock.withLock { () -> (Bool, Bool) in
            switch mode {
            case .monitor: monitor.toggle()
            case .live: live.toggle()
            }
            let start = !started && (monitor || live)
            if start { started = true }
            return (mode == .monitor ? monitor : live, start)
        }
        if start {
            let opened = DispatchSemaphore(value: 0)
            startFollowing(opened: opened)
            _ = opened.wait(timeout: .now() + connectTimeout)
        }
        return on
    }

    func stop() { lock.withLock { stopped = true } }

    private func startFollowing(opened: DispatchSemaphore) {
        let thread = Thread { [self] in follow(opened: opened) }
        thread.name = "starlane-shell-stream"
        thread.start()
    }

    private func follow(opened: DispatchSemaphore) {
        var signalled = false
        defer { if !signalled { opened.signal() } }
        do {
            let follower = try StreamFollower(server: server, process: process)
            try follower.follow(attempts: 10, onConnection: { [self] state in
                if state == .connected, !signalled {
                    signalled = true
                    opened.signal()
                }
                if case .lost(let why) = state, isShowing { emit(.note("stream lost (\(why)); reconnecting")) }
            }, onEvent: { [self] event in
                if let line = render(event) { emit(line) }
                return lock.withLock { !stopped }
            })
        } catch {
            if lock.withLock({ !stopped }) { emit(.error("monitor: \(error)")) }
            lock.withLock { started = false }
        }
    }

    private var isShowing: Bool { lock.withLock { !stopped && (monitor || live) } }

    private struct Cause: Decodable {
        var slot: Int64?
        var from: String?
        var action: String?
        var text: String?
        var Target: String?
        var Tags: [ClientTag]?
        var Data: String?
    }

    /// What a stream event prints under the current modes, if anything.
    func render(_ event: ServerSentEvent) -> ShellOutput? {
        let (monitor, live, stopped) = lock.withLock { (self.monitor, self.live, self.stopped) }
        guard !stopped, monitor || live, let cause = try? JSONDecoder().decode(Cause.self, from: Data(event.data.utf8)) else {
            return nil
        }
        let kind = event.event ?? "message"
        if let me, cause.from == me, cause.action == "Eval" { return nil }
        let bySelf = cause.from == process
        if live {
            return Self.line(kind: kind, cause: cause)
        }
        // Monitor: what the process printed (or failed with) on its own, e.g. on a cron tick.
        guard bySelf else { return nil }
        switch kind {
        case "output": return (cause.text ?? "").isEmpty ? nil : .event(Self.trimmed(cause.text ?? ""))
        case "error": return .eventError(cause.text ?? "")
        default: return nil
        }
    }

    private static func line(kind: String, cause: Cause) -> ShellOutput? {
        let slot = cause.slot.map { "[\($0)] " } ?? ""
        let source = "from \(InboxSummary.short(cause.from ?? "?"))" + (cause.action.map { " (\($0))" } ?? "")
        switch kind {
        case "output":
            guard let text = cause.text, !text.isEmpty else { return nil }
            return .event("\(slot)\(source): \(trimmed(text))")
        case "error":
            return .eventError("\(slot)\(source) failed: \(cause.text ?? "")")
        case "message":
            let action = cause.Tags?.first { $0.name == "Action" }.map { " Action=\($0.value)" } ?? ""
            return .event("\(slot)→ \(InboxSummary.short(cause.Target ?? "?"))\(action) \((cause.Data ?? "").prefix(80))")
        default:
            return nil
        }
    }

    private static func trimmed(_ text: String) -> String { text.hasSuffix("\n") ? String(text.dropLast()) : text }
}
