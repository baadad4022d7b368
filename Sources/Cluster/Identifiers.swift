import Crypto
import Foundation
import Identity

/// AO-style identifiers: 43 characters of unpadded base64url over 32 bytes.
public enum Identifiers {
    /// base64url without padding, as AO writes ids and addresses.
    public static func base64url<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        Base64URL.encode(bytes)
    }

    /// The id of anything named by the parts, e.g. ("message", origin, slot, index).
    /// Parts are length-prefixed so ("ab","c") and ("a","bc") differ.
    public static func derive(_ parts: String...) -> String {
        // One buffer, one hash call: this runs for every message a process sends.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parts.reduce(0) { $0 + 4 + $1.utf8.count })
        for part in parts {
            withUnsafeBytes(of: UInt32(part.utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: part.utf8)
        }
        return base64url(SHA256.hash(data: bytes))
    }

    /// The content id of a module (its Lua source).
    public static func module(source: String) -> String { ModuleID.of(source: source) }

    /// True for a well-formed 43-character id.
    public static func isValid(_ id: String) -> Bool { Address.isValid(id) }
}
