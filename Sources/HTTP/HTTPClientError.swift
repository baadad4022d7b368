/// Why a client request failed.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing listens at the address (`host:port`).
    case connectionRefused(String)
    /// Connecting failed otherwise (unknown host, unreachable network).
    case connectFailed(String)
    /// No answer within the time allowed.
    case timeout
    /// The peer did not speak HTTP/1.x, or its response broke a limit.
    case malformedResponse(String)
    /// The connection closed before the response was complete.
    case closed
    /// Reading or writing failed (reset by the peer, for instance).
    case io(String)
    /// Not an `http://host:port/path` URL.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .connectionRefused(let address): "connection refused by \(address) (is the server running?)"
        case .connectFailed(let reason): "cannot connect: \(reason)"
        case .timeout: "timed out waiting for the server"
        case .malformedResponse(let reason): "malformed response: \(reason)"
        case .closed: "the server closed the connection before answering"
        case .io(let reason): "connection failed: \(reason)"
        case .invalidURL(let url): "invalid URL \"\(url)\": expected http://host:port/path"
        }
    }
}

/// A request for `HTTPClientConnection`. `Host` is added when missing, and
/// `Content-Length` whenever there is a body (or the method usually has one).
public struct HTTPClientRequest: Sendable, Equatable {
    public var method: String
    /// The request target: path and query (`/processes?limit=5`).
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String = "GET", target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// An `http://host[:port][/path]` URL, the form CLIs take. IPv6 hosts go in
/// brackets (`http://[::1]:8080`). The port defaults to 80, the path to `/`.
public struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// Path and query, starting with `/`.
    public var path: String

    public init(host: String, port: UInt16, path: String = "/") {
        self.host = host
        self.port = port
        self.path = path
    }

    public init(_ text: String) throws(HTTPClientError) {
        guard text.hasPrefix("http://") else { throw .invalidURL(text) }
        var rest = text.dropFirst("http://".count)
        let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        path = rest[pathStart...].isEmpty ? "/" : (rest[pathStart...].hasPrefix("?") ? "/" : "") + rest[pathStart...]
        rest = rest[..<pathStart]
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidURL(text) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL(text) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        if let portText {
            guard let port = UInt16(portText) else { throw .invalidURL(text) }
            self.port = port
        } else {
            port = 80
        }
        guard !host.isEmpty, !host.contains("@") else { throw .invalidURL(text) }
    }

    public var description: String {
        "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)"
    }
}
