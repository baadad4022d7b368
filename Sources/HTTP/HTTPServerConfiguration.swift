/// The limits of an `HTTPServer`. Every limit exists because a client could
/// otherwise make the server hold memory or a socket without bound.
public struct HTTPServerConfiguration: Sendable {
    /// The start line and header fields of a request; beyond: 431.
    public var maxHeaderBytes = 16 * 1024
    /// A request body (declared or received); beyond: 413.
    public var maxBodyBytes = 1024 * 1024
    /// The whole request head must arrive within this, counted from the accept
    /// (first request) or its first byte (later ones): slowloris gets 408.
    public var headerTimeout: Duration = .seconds(10)
    /// How long a keep-alive connection may sit idle between requests, or a body
    /// may stall, before it is closed. Not while a response or stream is pending.
    public var idleTimeout: Duration = .seconds(60)
    /// Open connections; one more is answered 503 and closed.
    public var maxConnections = 1024
    /// Requests parsed and awaiting their response, per connection; at the limit
    /// the server stops reading until responses drain (backpressure).
    public var maxPipelinedRequests = 16
    /// Bytes queued for a peer that does not read; beyond, it is disconnected.
    public var maxWriteBuffer = 4 * 1024 * 1024
    /// After a final response (`Connection: close`), how long to drain the
    /// peer's remaining bytes so closing does not reset the connection under
    /// the response.
    public var lingerTimeout: Duration = .seconds(2)

    public init() {}
}

/// Why the server refused a request or a connection.
public enum HTTPRejection: String, Sendable, CaseIterable {
    case malformed, headerTooLarge, bodyTooLarge, headerTimeout, tooManyConnections, slowReader

    /// The status answered; `slowReader` is disconnected without an answer.
    public var status: Int {
        switch self {
        case .malformed: 400
        case .headerTooLarge: 431
        case .bodyTooLarge: 413
        case .headerTimeout: 408
        case .tooManyConnections: 503
        case .slowReader: 0
        }
    }
}

/// Counters for metrics.
public struct HTTPServerStats: Sendable, Equatable {
    /// Connections open now (not counting ones being refused with 503).
    public var openConnections = 0
    /// Connections accepted since `listen`, refused ones included.
    public var acceptedConnections = 0
    /// Responses sent (a stream counts when it starts).
    public var requestsServed = 0
    /// Refusals by reason.
    public var rejected: [HTTPRejection: Int] = [:]

    public init() {}
}
