import Crypto
import Foundation

/// AO-style identifiers: 43 characters of unpadded base64url over 32 bytes.
public enum Identifiers {
    /// base64url without padding, as AO writes ids and addresses.
    public static func base64url<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The id of anything named by the parts, e.g. ("message", origin, slot, index).
    /// Parts are length-prefixed so ("ab","c") and ("a","bc") differ.
    public static func derive(_ parts: String...) -> String {
        var hasher = SHA256()
        for part in parts {
            let bytes = Array(part.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
        }
        return base64url(hasher.finalize())
    }

    /// The content id of a module (its Lua source).
    public static func module(source: String) -> String {
        base64url(SHA256.hash(data: Array(source.utf8)))
    }

    /// True for a well-formed 43-character id.
    public static func isValid(_ id: String) -> Bool {
        id.utf8.count == 43 && id.utf8.allSatisfy {
            ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95
        }
    }
}
