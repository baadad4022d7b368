import Crypto
import Foundation

/// A message signed by a client key: what `POST /{pid}/push` and `POST /spawn` carry.
/// docs/PROTOCOL.md gives the exact bytes so a client in any language can sign.
///
/// Signed bytes (`signingBytes`): the line `starlane-message/1\n`, then netstrings
/// (`<decimal byte length>:<bytes>,`) of kind, target, key, nonce, the tag count, each
/// tag's name and value, and data. The kind and target come from the route, so a
/// signature for one process cannot be replayed to another, and the key is inside, so
/// nobody can re-sign someone else's payload under the same id.
public struct SignedMessage: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case push
        case spawn
    }

    public struct Tag: Codable, Equatable, Sendable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var kind: Kind
    /// The target process id (push) or the module id (spawn).
    public var target: String
    /// Chosen by the client, unique per key and target; with the key it makes the id.
    public var nonce: String
    public var tags: [Tag]
    public var data: String
    /// The raw Ed25519 public key, base64url.
    public var key: String
    /// The Ed25519 signature of `signingBytes()`, base64url.
    public var signature: String

    public init(kind: Kind, target: String, nonce: String, tags: [Tag] = [], data: String = "",
                key: String = "", signature: String = "") {
        self.kind = kind
        self.target = target
        self.nonce = nonce
        self.tags = tags
        self.data = data
        self.key = key
        self.signature = signature
    }

    public static let domain = "starlane-message/1\n"

    public func signingBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.domain.utf8.count + 64 + target.utf8.count + key.utf8.count + nonce.utf8.count
                              + tags.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 12 } + data.utf8.count)
        bytes.append(contentsOf: Self.domain.utf8)
        func field(_ text: String) {
            bytes.append(contentsOf: String(text.utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: ","))
        }
        field(kind.rawValue)
        field(target)
        field(key)
        field(nonce)
        field(String(tags.count))
        for tag in tags {
            field(tag.name)
            field(tag.value)
        }
        field(data)
        return bytes
    }

    /// The message id: base64url(SHA-256(signing bytes)). The node refuses a second
    /// message with an id it has stored, which is what makes a replay fail.
    public var id: String { Base64URL.encode(SHA256.hash(data: signingBytes())) }

    /// Checks the shape and the signature; returns the signer's address (the `From`).
    public func verify(limits: MessageLimits = .default) throws(IdentityError) -> String {
        try verifiedSigner(limits: limits).from
    }

    /// `verify` and `id` together, building the signed bytes once (the gateway needs both).
    public func verifiedSigner(limits: MessageLimits = .default) throws(IdentityError) -> (from: String, id: String) {
        try validate(limits: limits)
        guard let keyBytes = Base64URL.decode(key), keyBytes.count == 32,
              let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes) else {
            throw .badSignature("key must be a base64url raw Ed25519 public key (32 bytes)")
        }
        guard let signatureBytes = Base64URL.decode(signature), signatureBytes.count == 64 else {
            throw .badSignature("signature must be a base64url Ed25519 signature (64 bytes)")
        }
        let signed = signingBytes()
        guard publicKey.isValidSignature(signatureBytes, for: signed) else {
            throw .badSignature("the signature does not match the message and key")
        }
        return (Address.of(publicKey: keyBytes), Base64URL.encode(SHA256.hash(data: signed)))
    }

    /// Everything but the signature: the limits and the names the node reserves.
    public func validate(limits: MessageLimits = .default) throws(IdentityError) {
        guard (1...limits.maxNonceBytes).contains(nonce.utf8.count),
              nonce.utf8.allSatisfy({ Base64URL.isAlphabet($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") })
        else {
            throw .malformedMessage("nonce must be 1–\(limits.maxNonceBytes) characters of A–Z a–z 0–9 - _ . :")
        }
        guard tags.count <= limits.maxTags else {
            throw .malformedMessage("\(tags.count) tags; at most \(limits.maxTags)")
        }
        for tag in tags {
            guard (1...limits.maxTagNameBytes).contains(tag.name.utf8.count),
                  tag.name.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value != 127 }) else {
                throw .malformedMessage("tag name \"\(tag.name.prefix(40))\" must be 1–\(limits.maxTagNameBytes) bytes without spaces or control characters")
            }
            guard tag.value.utf8.count <= limits.maxTagValueBytes else {
                throw .malformedMessage("tag \(tag.name) is \(tag.value.utf8.count) bytes; at most \(limits.maxTagValueBytes)")
            }
            if Self.isReserved(tag.name) {
                throw .malformedMessage("tag \(tag.name) is set by the node, not by a client")
            }
        }
        guard data.utf8.count <= limits.maxDataBytes else {
            throw .malformedMessage("data is \(data.utf8.count) bytes; at most \(limits.maxDataBytes)")
        }
    }

    /// Names the node stamps on every message. Compared as aos normalises names
    /// (`_` → `-`, case-insensitive), so `from` or `hash_chain` cannot sneak through.
    static let reserved: Set<String> = [
        "from", "owner", "id", "target", "timestamp", "slot", "hash-chain", "block-height", "cron",
        "signature", "epoch", "nonce", "from-process", "from-module",
    ]

    static func isReserved(_ name: String) -> Bool {
        // Checked per tag of every push: ASCII names (all real ones) without
        // Foundation's string functions. Reserved names are at most 12 bytes.
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else {
            return reserved.contains(name.lowercased().replacingOccurrences(of: "_", with: "-"))
        }
        guard name.utf8.count <= 12 else { return false }
        let normalised = name.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "_"): UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
            default: byte
            }
        }
        return reserved.contains(String(decoding: normalised, as: UTF8.self))
    }
}

/// Bounds on what a client may send in one message.
public struct MessageLimits: Sendable {
    public var maxNonceBytes = 64
    public var maxTags = 128
    public var maxTagNameBytes = 128
    public var maxTagValueBytes = 16 * 1024
    public var maxDataBytes = 1024 * 1024

    public static let `default` = MessageLimits()
    public init() {}
}
