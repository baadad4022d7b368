/// A message a process emitted: a `Send` (or a `Spawn`, whose Target is empty).
public struct OutboundMessage: Codable, Equatable, Sendable {
    public var target: String?
    public var tags: [Tag]
    public var data: String

    public init(target: String?, tags: [Tag], data: String) {
        self.target = target
        self.tags = tags
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case target = "Target", tags = "Tags", data = "Data" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        target = try c.decodeIfPresent(String.self, forKey: .target)
        tags = try c.decodeIfPresent([Tag].self, forKey: .tags) ?? []
        data = try c.decodeIfPresent(String.self, forKey: .data) ?? ""
    }
}

/// An `Assign`: an existing message handed to other processes.
public struct Assignment: Codable, Equatable, Sendable {
    public var processes: [String]
    public var message: String

    enum CodingKeys: String, CodingKey { case processes = "Processes", message = "Message" }
}

/// What handling one message produced (AO's result). When `error` is set the
/// message changed nothing: the outbox is empty and the state was rolled back.
public struct MessageResult: Codable, Equatable, Sendable {
    public var output: String
    public var messages: [OutboundMessage]
    public var spawns: [OutboundMessage]
    public var assignments: [Assignment]
    public var error: String?

    public init(output: String = "", messages: [OutboundMessage] = [], spawns: [OutboundMessage] = [],
                assignments: [Assignment] = [], error: String? = nil) {
        self.output = output
        self.messages = messages
        self.spawns = spawns
        self.assignments = assignments
        self.error = error
    }

    /// A failed message: its error only.
    public static func failure(_ error: String, output: String = "") -> MessageResult {
        MessageResult(output: output, error: error)
    }

    enum CodingKeys: String, CodingKey {
        case output = "Output", messages = "Messages", spawns = "Spawns", assignments = "Assignments", error = "Error"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        output = try c.decodeIfPresent(String.self, forKey: .output) ?? ""
        messages = try c.decodeIfPresent([OutboundMessage].self, forKey: .messages) ?? []
        spawns = try c.decodeIfPresent([OutboundMessage].self, forKey: .spawns) ?? []
        assignments = try c.decodeIfPresent([Assignment].self, forKey: .assignments) ?? []
        error = try c.decodeIfPresent(String.self, forKey: .error)
    }
}
