/// The hot path's crossing into Lua: a message packed into bytes that C turns into
/// the table the prelude reads, and the prelude's result packed by C into bytes read
/// here. Both formats are the host's own (little-endian, one process writes and
/// reads them) and described in docs/RUNTIME.md.
enum MessagePacking {
    /// Marks an absent string (Hash-Chain, a message's Target, a result's Error).
    private static let absent = UInt32.max

    /// Id, From, Owner, Target, Data, Hash-Chain (strings), Slot, Timestamp,
    /// Block-Height (int64), Cron (u32 0/1), then the tag count and each tag's
    /// name and value.
    static func pack(_ m: Message) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + m.id.utf8.count + m.from.utf8.count + m.owner.utf8.count
                            + m.target.utf8.count + m.data.utf8.count + 48 * m.tags.count)
        for field in [m.id, m.from, m.owner, m.target, m.data] { appendString(field, to: &out) }
        if let chain = m.hashChain { appendString(chain, to: &out) } else { appendU32(absent, to: &out) }
        appendI64(m.slot, to: &out)
        appendI64(m.timestamp, to: &out)
        appendI64(m.blockHeight, to: &out)
        appendU32(m.cron == true ? 1 : 0, to: &out)
        appendU32(UInt32(m.tags.count), to: &out)
        for tag in m.tags {
            appendString(tag.name, to: &out)
            appendString(tag.value, to: &out)
        }
        return out
    }

    /// Reads Error (or absent), Output, Messages, Spawns, Assignments.
    static func unpackResult(_ bytes: UnsafeRawBufferPointer) throws -> MessageResult {
        var reader = Reader(bytes: bytes)
        let error = try reader.optionalString()
        var result = MessageResult(output: try reader.string())
        result.messages = try reader.messages()
        result.spawns = try reader.messages()
        let assignments = try reader.count()
        for _ in 0..<assignments {
            var processes: [String] = []
            for _ in 0..<(try reader.count()) { processes.append(try reader.string()) }
            result.assignments.append(Assignment(processes: processes, message: try reader.string()))
        }
        result.error = error
        guard reader.isAtEnd else { throw MalformedResult("trailing bytes") }
        return result
    }

    private static func appendU32(_ value: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func appendI64(_ value: Int64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        appendU32(UInt32(s.utf8.count), to: &out)
        out.append(contentsOf: s.utf8)
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func u32() throws -> UInt32 {
            guard bytes.count - offset >= 4 else { throw MalformedResult("truncated") }
            let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            offset += 4
            return UInt32(littleEndian: value)
        }

        mutating func count() throws -> Int { Int(try u32()) }

        mutating func optionalString() throws -> String? {
            let length = try u32()
            if length == absent { return nil }
            guard bytes.count - offset >= Int(length) else { throw MalformedResult("truncated") }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)]),
                              as: UTF8.self)
            offset += Int(length)
            return text
        }

        mutating func string() throws -> String {
            guard let text = try optionalString() else { throw MalformedResult("a required string is absent") }
            return text
        }

        mutating func messages() throws -> [OutboundMessage] {
            var list: [OutboundMessage] = []
            let n = try count()
            list.reserveCapacity(n)
            for _ in 0..<n {
                let target = try optionalString()
                let data = try string()
                var tags: [Tag] = []
                let tagCount = try count()
                tags.reserveCapacity(tagCount)
                for _ in 0..<tagCount { tags.append(Tag(try string(), try string())) }
                list.append(OutboundMessage(target: target, tags: tags, data: data))
            }
            return list
        }
    }

    struct MalformedResult: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = "packed result: " + description }
    }
}
