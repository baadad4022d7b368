import Foundation

/// A key on disk: JSON `{"type":"ed25519","private":…,"public":…,"address":…}` (base64url),
/// written with mode 0600. `public` and `address` are there for people and tools; the
/// private key alone defines the identity, and a file whose other fields disagree is refused.
public enum KeyFile {
    struct Contents: Codable {
        var type: String
        var `private`: String
        var `public`: String
        var address: String
    }

    /// `~/.starlane/key.json`, or `$STARLANE_HOME/key.json`.
    public static var defaultPath: String {
        let home = ProcessInfo.processInfo.environment["STARLANE_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".starlane")
        return (home as NSString).appendingPathComponent("key.json")
    }

    public static func load(_ path: String) throws(IdentityError) -> ClientKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformedKey("no key file at \(path) (create one with `starlane keygen`)")
        }
        guard let contents = try? JSONDecoder().decode(Contents.self, from: data), contents.type == "ed25519",
              let seed = Base64URL.decode(contents.private) else {
            throw .malformedKey("\(path) is not a Starlane ed25519 key file")
        }
        let key = try ClientKey(privateKey: seed)
        guard contents.public == Base64URL.encode(key.publicKey), contents.address == key.address else {
            throw .malformedKey("\(path): the public key or address does not match the private key")
        }
        return key
    }

    /// Writes a new file; refuses to overwrite an existing key (losing one loses an identity).
    public static func save(_ key: ClientKey, to path: String) throws(IdentityError) {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: path) else {
            throw .malformedKey("\(path) exists already; not overwriting a key")
        }
        let contents = Contents(type: "ed25519", private: Base64URL.encode(key.privateKey),
                                public: Base64URL.encode(key.publicKey), address: key.address)
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o700])
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            guard manager.createFile(atPath: path, contents: try encoder.encode(contents) + Data("\n".utf8),
                                     attributes: [.posixPermissions: 0o600]) else {
                throw IdentityError.malformedKey("cannot write \(path)")
            }
        } catch let error as IdentityError {
            throw error
        } catch {
            throw .malformedKey("cannot write \(path): \(error)")
        }
    }

    /// Loads the key at `path`, creating it first if there is none (a new player's first run).
    public static func loadOrCreate(_ path: String) throws(IdentityError) -> (key: ClientKey, created: Bool) {
        if FileManager.default.fileExists(atPath: path) { return (try load(path), false) }
        let key = ClientKey()
        try save(key, to: path)
        return (key, true)
    }
}
