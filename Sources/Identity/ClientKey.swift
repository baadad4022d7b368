import Crypto
import Foundation

/// A client's identity: an Ed25519 key pair. Its address, base64url(SHA-256(public
/// key)), is the `From` of every message it signs (43 characters, like an AO id).
public struct ClientKey: Sendable {
    /// The 32-byte private key (Ed25519 seed). Kept as bytes: swift-crypto's key type
    /// is not Sendable, and a key is read by several threads of a bot host.
    public let privateKey: [UInt8]
    public let publicKey: [UInt8]
    public let address: String

    public init() {
        let key = Curve25519.Signing.PrivateKey()
        privateKey = [UInt8](key.rawRepresentation)
        publicKey = [UInt8](key.publicKey.rawRepresentation)
        address = Address.of(publicKey: publicKey)
    }

    /// From the 32-byte private key (the seed).
    public init(privateKey: [UInt8]) throws(IdentityError) {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKey) else {
            throw .malformedKey("an Ed25519 private key is 32 bytes, got \(privateKey.count)")
        }
        self.privateKey = privateKey
        publicKey = [UInt8](key.publicKey.rawRepresentation)
        address = Address.of(publicKey: publicKey)
    }

    /// Signs the message's canonical bytes; fills in `key` and `signature`.
    public func sign(_ message: inout SignedMessage) throws(IdentityError) {
        message.key = Base64URL.encode(publicKey)
        do {
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
            message.signature = Base64URL.encode(try key.signature(for: message.signingBytes()))
        } catch {
            throw .malformedKey("cannot sign: \(error)")
        }
    }
}

public enum Address {
    /// base64url(SHA-256(raw Ed25519 public key)).
    public static func of(publicKey: [UInt8]) -> String {
        Base64URL.encode(SHA256.hash(data: publicKey))
    }

    /// True for a well-formed 43-character address or process id.
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy(Base64URL.isAlphabet)
    }
}

/// Why a key or a signed message was refused.
public enum IdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedKey(String)
    case malformedMessage(String)
    case badSignature(String)

    public var description: String {
        switch self {
        case .malformedKey(let why): "malformed key: \(why)"
        case .malformedMessage(let why): "malformed message: \(why)"
        case .badSignature(let why): "bad signature: \(why)"
        }
    }
}

public enum ModuleID {
    /// A module's id: base64url(SHA-256(its Lua source as UTF-8)).
    public static func of(source: String) -> String {
        Base64URL.encode(SHA256.hash(data: Array(source.utf8)))
    }
}
