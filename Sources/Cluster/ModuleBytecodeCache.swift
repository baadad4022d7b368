import LuaVM
import Synchronization

/// Modules compiled once per program: a spawn message loads its module's bytecode
/// instead of parsing the text (`LoadHint`), the same function under the same chunk
/// name (`=module`, what `.boot` loads it as). Keyed by module id and checked against
/// the source. A module that does not compile is remembered as such: its spawn
/// parses the text and fails with the parser's own error, as it always did.
final class ModuleBytecodeCache: Sendable {
    /// The chunk name `.boot` gives a module (`load(source, "=module", "t", _G)`).
    static let chunkName = "=module"
    static let shared = ModuleBytecodeCache(maximumBytes: 64 << 20)

    private enum Entry {
        case compiled(source: String, bytecode: [UInt8])
        case invalid(source: String)
    }

    private struct Contents {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private let contents = Mutex(Contents())
    /// Past this much bytecode the cache starts over (modules are few; this bounds a
    /// node that is fed endless distinct ones).
    let maximumBytes: Int

    init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    /// The hint for loading `source` (module `moduleID`): nil when it does not compile.
    func hint(moduleID: String, source: String) -> LoadHint? {
        let cached: Entry? = contents.withLock { $0.entries[moduleID] }
        switch cached {
        case .compiled(let known, let bytecode) where known == source:
            return LoadHint(source: source, chunkName: Self.chunkName, bytecode: bytecode)
        case .invalid(let known) where known == source:
            return nil
        default:
            return compile(moduleID: moduleID, source: source)
        }
    }

    /// Compiles outside the lock (two threads may both compile a new module; either
    /// result is the same bytes).
    private func compile(moduleID: String, source: String) -> LoadHint? {
        let bytecode = try? LuaState.compile(name: Self.chunkName, source: source)
        let entry: Entry = bytecode.map { .compiled(source: source, bytecode: $0) } ?? .invalid(source: source)
        store(entry, for: moduleID, size: (bytecode?.count ?? 0) + source.utf8.count)
        return bytecode.map { LoadHint(source: source, chunkName: Self.chunkName, bytecode: $0) }
    }

    private func store(_ entry: Entry, for moduleID: String, size: Int) {
        contents.withLock { contents in
            if contents.bytes + size > maximumBytes {
                contents.entries.removeAll()
                contents.bytes = 0
            }
            if contents.entries.updateValue(entry, forKey: moduleID) == nil { contents.bytes += size }
        }
    }

    /// Modules held now (tests).
    var count: Int { contents.withLock { $0.entries.count } }
}
