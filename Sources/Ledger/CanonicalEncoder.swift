import Foundation

/// Builds the length-prefixed byte strings that the hash chain hashes and the node signs
/// (docs/LEDGER.md, "Canonical bytes"). Every field is self-delimiting, so no two
/// different records share an encoding: ("ab", "c") and ("a", "bc") differ.
struct CanonicalEncoder {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// u32 big-endian byte count, then the UTF-8 bytes.
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            precondition(utf8.count <= Int(UInt32.max), "a canonical field is limited to 4 GiB")
            uint32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// 8 bytes, big-endian two's complement.
    mutating func int64(_ value: Int64) {
        let raw = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: raw >> UInt64(shift)))
        }
    }

    mutating func uint32(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    /// u32 count, then name and value of each tag, in order.
    mutating func tags(_ tags: [TagRecord]) {
        uint32(UInt32(tags.count))
        for tag in tags {
            string(tag.name)
            string(tag.value)
        }
    }

    /// Raw bytes without a length (only for fixed-size fields such as a 32-byte hash).
    mutating func raw(_ value: Data) {
        value.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}
