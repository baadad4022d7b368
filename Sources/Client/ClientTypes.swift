import Foundation

/// A tag as the gateway's JSON carries it.
public struct ClientTag: Codable, Equatable, Sendable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A message a process emitted, as the gateway shows it.
public struct ClientMessage: Codable, Equatable, Sendable {
    public var Target: String?
    public var Tags: [ClientTag]
    public var Data: String

    /// The first tag of that name.
    public subscript(tag name: String) -> String? { Tags.first { $0.name == name }?.value }
}

/// What handling one message produced (AO's result).
public struct ClientResult: Codable, Equatable, Sendable {
    public var Output: String
    public var Messages: [ClientMessage]
    public var Spawns: [ClientMessage]
    public var Error: String?
}

/// The answer to a push or a spawn: the message id, the process and the slot it took.
public struct PushAnswer: Codable, Equatable, Sendable {
    public var id: String
    public var process: String
    public var slot: Int64
    public var result: ClientResult?
}

/// A refusal from the gateway (its status and plain-words error), or a transport failure.
public struct ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The HTTP status; nil when no answer came (connection refused, timeout).
    public var status: Int?
    public var message: String

    public init(status: Int?, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String {
        status.map { "\($0): \(message)" } ?? message
    }
}
