import Identity
internal import Crypto
import Foundation

/// The node's Ed25519 key. The ledger creates it on first open and keeps it in the
/// `node_keys` table; it signs hash-chain links (docs/LEDGER.md, "Signatures").
public struct NodeKey: Sendable {
    /// Immutable after init, and BoringSSL's signing only reads it: safe to share.
    private final class Box: @unchecked Sendable {
        let key: Curve25519.Signing.PrivateKey
        init(_ key: Curve25519.Signing.PrivateKey) { self.key = key }
    }

    private let box: Box
    private var privateKey: Curve25519.Signing.PrivateKey { box.key }

    /// The raw 32-byte Ed25519 public key (RFC 8032).
    public let publicKey: Data
    /// base64url(SHA-256(publicKey)), unpadded: 43 characters.
    public let id: String

    /// A fresh random key.
    public init() {
        self.init(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// The key whose 32-byte seed (RFC 8032 private key) is `seed`.
    public init(seed: Data) throws(LedgerError) {
        do {
            self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
        } catch {
            throw .invalidRecord("a node key seed must be 32 bytes (got \(seed.count))")
        }
    }

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        box = Box(privateKey)
        publicKey = privateKey.publicKey.rawRepresentation
        id = NodeKey.id(ofPublicKey: publicKey)
    }

    /// The 32-byte seed, as stored in `node_keys.private_key`.
    public var seed: Data { privateKey.rawRepresentation }

    /// The node id of any Ed25519 public key.
    public static func id(ofPublicKey publicKey: Data) -> String {
        Base64URL.encode(Data(SHA256.hash(data: publicKey)))
    }

    /// The node's signature of one hash-chain link (64 bytes).
    public func sign(hashChain: Data) -> Data {
        // Signing cannot fail for a valid key and a short message; a failure is a bug.
        // swiftlint:disable:next force_try
        try! privateKey.signature(for: HashChain.signedMessage(hashChain: hashChain))
    }

    /// True when `signature` is `publicKey`'s signature of the link `hashChain`.
    public static func verify(signature: Data, hashChain: Data, publicKey: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            return false
        }
        return key.isValidSignature(signature, for: HashChain.signedMessage(hashChain: hashChain))
    }
}
