import Cluster
import Foundation
import HTTP
import Identity

/// Request and answer bodies of the gateway's routes (docs/PROTOCOL.md).
struct WireTag: Codable, Equatable {
    var name: String
    var value: String
}

/// `POST /{pid}/push` and `POST /spawn`: a signed message. For a spawn, exactly one of
/// `module` (a stored module id) or `source` (Lua text, whose id is its SHA-256) is given.
struct SignedRequest: Decodable {
    var nonce: String
    var tags: [WireTag]?
    var data: String?
    var key: String
    var signature: String
    var module: String?
    var source: String?

    func message(kind: SignedMessage.Kind, target: String) -> SignedMessage {
        SignedMessage(kind: kind, target: target, nonce: nonce,
                      tags: (tags ?? []).map { .init($0.name, $0.value) }, data: data ?? "",
                      key: key, signature: signature)
    }
}

/// `POST /{pid}/dryrun`: unsigned; `from` is whoever the caller says (nothing is kept).
struct DryRunRequest: Decodable {
    var from: String?
    var tags: [WireTag]?
    var data: String?
}

/// A result as AO shows it.
struct WireResult: Encodable {
    var Output: String
    var Messages: [OutboundMessage]
    var Spawns: [OutboundMessage]
    var Error: String?

    init(_ result: MessageResult) {
        Output = result.output
        Messages = result.messages
        Spawns = result.spawns
        Error = result.error
    }
}

struct PushAnswer: Encodable {
    var id: String
    var process: String
    var slot: Int64
    var result: WireResult?

    /// The answer without a result, as `WireJSON.encode` writes it (sorted keys),
    /// without an encoder per push.
    static func plain(id: String, process: String, slot: Int64) -> String {
        "{\"id\":\"\(HTTPResponse.escapeJSON(id))\",\"process\":\"\(HTTPResponse.escapeJSON(process))\",\"slot\":\(slot)}"
    }
}

struct SlotResult: Encodable {
    var slot: Int64
    var Output: String
    var Messages: [OutboundMessage]
    var Spawns: [OutboundMessage]
    var Error: String?
}

enum WireJSON {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }
}
