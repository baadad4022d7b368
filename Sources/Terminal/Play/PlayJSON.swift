import Foundation

/// Defensive readers over `JSONSerialization` values: the server's JSON is decoded
/// field by field, so a missing or mistyped field yields nil, never a crash. The Lua
/// codec writes an empty object as `[]`, which `object` accepts as an empty object.
enum PlayJSON {
    /// Parses JSON text; nil when it is not JSON.
    static func parse(_ text: String) -> Any? {
        guard let data = text.data(using: .utf8) else { return nil }
        return try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    static func object(_ value: Any?) -> [String: Any]? {
        if let object = value as? [String: Any] { return object }
        if let array = value as? [Any], array.isEmpty { return [:] }
        return nil
    }

    static func array(_ value: Any?) -> [Any]? {
        if let array = value as? [Any] { return array }
        if let object = value as? [String: Any], object.isEmpty { return [] }
        return nil
    }

    /// A whole number from a JSON number or a decimal string ("12"), within Int32 so
    /// arithmetic on it cannot overflow.
    static func int(_ value: Any?) -> Int? {
        let n: Int?
        switch value {
        case let number as NSNumber:
            let d = number.doubleValue
            n = d.isFinite && d == d.rounded() && abs(d) < 2_000_000_000 ? Int(d) : nil
        case let text as String: n = Int(text.trimmingCharacters(in: .whitespaces))
        default: n = nil
        }
        guard let n, abs(n) < 2_000_000_000 else { return nil }
        return n
    }

    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber: return int(number).map(String.init) ?? number.stringValue
        default: return nil
        }
    }

    static func strings(_ value: Any?) -> [String]? {
        guard let items = array(value) else { return nil }
        let strings = items.compactMap { $0 as? String }
        return strings.count == items.count ? strings : nil
    }
}
