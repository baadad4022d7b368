import Foundation
import HTTP

/// Follows a process's stream (`GET /{pid}/stream`) across disconnects: reconnects with
/// backoff and resumes after the last event it saw (`Last-Event-ID`), so the caller sees
/// every event once, in order.
public final class StreamFollower {
    public enum Connection: Equatable, Sendable {
        case connected
        case lost(String)
    }

    public let server: HTTPURL
    public let process: String
    /// The id of the last event delivered; resume point of the next connection.
    public private(set) var lastEventID: String?
    public var initialBackoff: Duration = .milliseconds(250)
    public var maxBackoff: Duration = .seconds(8)

    /// `lastEventID` nil starts at the process's next slot; `fromSlot` starts there instead.
    public init(server: String, process: String, lastEventID: String? = nil, fromSlot: Int64? = nil) throws {
        do { self.server = try HTTPURL(server) } catch {
            throw ClientError(status: nil, message: "bad server URL \(server): \(error)")
        }
        self.process = process
        self.lastEventID = lastEventID
        self.fromSlot = fromSlot
    }

    private var fromSlot: Int64?

    /// Delivers events until `onEvent` returns false or `attempts` connections fail in a row
    /// (nil: never give up). A 4xx answer (unknown process, bad id) is final and thrown.
    public func follow(attempts: Int? = nil, onConnection: @escaping (Connection) -> Void = { _ in },
                       onEvent: @escaping (ServerSentEvent) -> Bool) throws {
        var backoff = initialBackoff
        var failures = 0
        while true {
            let client = BlockingHTTPClient(url: server, timeout: .seconds(10))
            var headers: [(String, String)] = []
            var path = "/\(process)/stream"
            if let last = lastEventID { headers.append(("Last-Event-ID", last)) } else if let from = fromSlot { path += "?from=\(from)" }
            var stopped = false
            var reason = "the server ended the stream"
            do {
                let status = try client.stream(path, headers: headers, onEvent: { [self] event in
                    // The server opens every stream with an `open` event (no id).
                    if event.event == "open" {
                        onConnection(.connected)
                        return true
                    }
                    if let id = event.id { lastEventID = id }
                    failures = 0
                    backoff = initialBackoff
                    if !onEvent(event) { stopped = true }
                    return !stopped
                })
                if (400..<500).contains(status) {
                    throw ClientError(status: status, message: "the server refused the stream of \(process)")
                }
            } catch let error as ClientError {
                throw error
            } catch {
                reason = "\(error)"
            }
            client.close()
            if stopped { return }
            failures += 1
            onConnection(.lost(reason))
            if let attempts, failures >= attempts {
                throw ClientError(status: nil, message: "lost the stream of \(process): \(reason)")
            }
            Thread.sleep(forTimeInterval: Double(backoff.components.seconds) + Double(backoff.components.attoseconds) / 1e18)
            backoff = min(backoff * 2, maxBackoff)
        }
    }
}
