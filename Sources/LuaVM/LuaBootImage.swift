import CLuaNatives

/// Compiled chunks in C memory, laid out once so every new state can load them in one
/// call: the modules a boot registers as `package.preload` entries, then the chunk it
/// runs (`LuaState.boot`). Made once per program; immutable, so any thread may use it.
public final class LuaBootImage: @unchecked Sendable {
    /// (chunk name, bytecode from `LuaState.compile`).
    public typealias Chunk = (name: String, bytecode: [UInt8])

    let modules: UnsafeMutableBufferPointer<clua_chunk>
    let runner: clua_chunk

    public init(modules: [Chunk], runner: Chunk) {
        self.modules = .allocate(capacity: modules.count)
        for (index, module) in modules.enumerated() {
            self.modules[index] = Self.copy(module)
        }
        self.runner = Self.copy(runner)
    }

    deinit {
        for chunk in modules { Self.free(chunk) }
        modules.deallocate()
        Self.free(runner)
    }

    private static func copy(_ chunk: Chunk) -> clua_chunk {
        let name = cBytes(Array(chunk.name.utf8) + [0])
        return clua_chunk(name: name, bytes: cBytes(chunk.bytecode), length: chunk.bytecode.count)
    }

    /// `bytes` in memory this image owns (freed by `free`).
    private static func cBytes(_ bytes: [UInt8]) -> UnsafePointer<CChar> {
        let copy = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(1, bytes.count))
        for (index, byte) in bytes.enumerated() { copy[index] = CChar(bitPattern: byte) }
        return UnsafePointer(copy.baseAddress!)
    }

    private static func free(_ chunk: clua_chunk) {
        UnsafeMutablePointer(mutating: chunk.name)?.deallocate()
        UnsafeMutablePointer(mutating: chunk.bytes)?.deallocate()
    }

    /// Keeps the texts of libraries a boot chunk loads lazily once for the whole program:
    /// Lua reads one with `require("starlane.native").preludeLibrary(name)` on its first
    /// `require`, instead of every heap holding every text. Only the first call counts.
    public static func setLibraries(_ libraries: [(name: String, text: String)]) {
        var chunks = libraries.map { library in
            clua_chunk(name: cBytes(Array(library.name.utf8) + [0]), bytes: cBytes(Array(library.text.utf8)),
                       length: library.text.utf8.count)
        }
        let status = clua_prelude_libraries_set(&chunks, chunks.count)   // C keeps copies
        for chunk in chunks { free(chunk) }
        precondition(status == 0, "out of memory for the prelude's library texts")
    }
}
