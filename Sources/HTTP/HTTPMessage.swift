/// One parsed HTTP message, request or response, as `HTTPParser` yields it.
public struct HTTPMessage: Sendable, Equatable {
    /// The request method (`GET`); empty for responses.
    public var method: String = ""
    /// The request target as sent (`/processes/7?limit=10`); empty for responses.
    public var target: String = ""
    /// The response status; 0 for requests.
    public var status: Int = 0
    public var version: HTTPVersion = .http1_1
    public var headers = HTTPHeaders()
    /// The whole body, chunked encoding removed; empty when the body was streamed.
    public var body: [UInt8] = []
    /// Whether the connection may carry another message after this one
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `keep-alive`).
    public var keepAlive: Bool = true

    public init() {}
}

public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// What `HTTPParser.feed` yields, in the order of the bytes.
public enum HTTPParserEvent: Sendable, Equatable {
    /// The head is complete (`body` empty): a server answers `Expect: 100-continue`
    /// here, a streaming client shows the status.
    case head(HTTPMessage)
    /// Part of a streamed body (response mode with `streaming: true` only).
    case body([UInt8])
    /// The message is complete, with its body unless it was streamed.
    case message(HTTPMessage)
}

/// Why the parser refused its input. Sticky: once failed, a parser only fails.
public enum HTTPParserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The head (start line and header fields) exceeded `maxHeaderBytes`.
    case headerTooLarge(limit: Int)
    /// The body (declared or received) exceeded `maxBodyBytes`.
    case bodyTooLarge(limit: Int)
    /// An `Upgrade` or `CONNECT` request: the bytes after it are not HTTP.
    case upgradeNotSupported
    /// Not HTTP/1.x: http-parser's error name and description.
    case malformed(name: String, description: String)

    public var description: String {
        switch self {
        case .headerTooLarge(let limit): "header larger than \(limit) bytes"
        case .bodyTooLarge(let limit): "body larger than \(limit) bytes"
        case .upgradeNotSupported: "protocol upgrade not supported"
        case .malformed(let name, let description): "malformed HTTP (\(name)): \(description)"
        }
    }
}
