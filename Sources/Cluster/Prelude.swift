import Foundation
import LuaVM

/// The AO runtime prelude: the Lua files in Prelude/ (aos-compatible process
/// API and libraries), each registered as `package.preload[".NAME"]`.
public enum Prelude {
    /// (module name, source) for every prelude file, sorted by name. Read once.
    public static let modules: [(name: String, source: String)] = loadModules()

    /// What every message runs, compiled when a process boots, and `.boot`, which every
    /// fresh state runs on its spawn message (loading its bytecode is cheaper than
    /// compiling its text there). The other modules (the libraries) stay as text in
    /// the heap until their first `require`: a process pays for bint or crypto only if
    /// it uses them.
    static let eagerModules: Set<String> = [
        ".process", ".ao", ".handlers", ".handlers-utils", ".match", ".eval", ".default", ".boot",
    ]

    private static func loadModules() -> [(name: String, source: String)] {
        guard let urls = Bundle.module.urls(forResourcesWithExtension: "lua", subdirectory: "Prelude") else {
            preconditionFailure("the Cluster bundle has no Prelude/*.lua resources")
        }
        return urls.map { url -> (name: String, source: String) in
            let url = url as URL
            guard let source = try? String(contentsOf: url, encoding: .utf8) else {
                preconditionFailure("cannot read prelude file \(url.path)")
            }
            return ("." + url.deletingPathExtension().lastPathComponent, source)
        }
        .sorted { $0.name < $1.name }
    }

    /// The modules not compiled eagerly (the libraries), their texts handed to C once for
    /// the program (`LuaBootImage.setLibraries`) before any boot chunk can load one.
    private static let libraries: [(name: String, source: String)] = {
        let libraries = modules.filter { !eagerModules.contains($0.name) }
        LuaBootImage.setLibraries(libraries.map { ($0.name, LuaSourceTrimmer.trimmed($0.source)) })
        return libraries
    }()

    /// The chunk that boots a process: lazy loaders for the libraries, then `.process`,
    /// whose `handle(msg, env)` becomes `_STARLANE.handle`. A loader holds only its
    /// module's name: the text comes from the program's copy, so ~50 KB of library text
    /// is not in every process's heap and snapshot (docs/PERFORMANCE.md, session 7).
    /// Built once per program.
    static let bootChunk: String = {
        var chunk = """
            -- A loader over a library: its text compiled by the first require (with the
            -- chunk name the host's preload gives), the compiled chunk kept for a re-require.
            local load, assert, library = load, assert, require("starlane.native").preludeLibrary
            local function lazy(name, chunkName)
              local loader
              return function(...)
                if loader == nil then loader = assert(load(assert(library(name)), chunkName, "t")) end
                return loader(...)
              end
            end

            """
        for module in libraries {
            precondition(module.name.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) },
                         "prelude module name \(module.name) needs quoting")
            let chunkName = "@" + module.name.dropFirst() + ".lua"
            chunk += "package.preload[\"\(module.name)\"] = lazy(\"\(module.name)\", \"\(chunkName)\")\n"
        }
        chunk += "_STARLANE = { handle = require('.process').handle }\n"
        return chunk
    }()

    /// The eager modules' bytecode, compiled once per program: a boot loads it instead of
    /// parsing the text (the same functions, debug info included).
    static let eagerBytecode: [(name: String, bytecode: [UInt8])] =
        modules.filter { eagerModules.contains($0.name) }.map { module in
            do {
                return (module.name, try LuaState.compile(name: module.name, source: module.source))
            } catch {
                preconditionFailure("prelude module \(module.name) does not compile: \(error)")
            }
        }

    /// The boot chunk's bytecode, compiled once per program under the chunk name it had
    /// as text ("=prelude"): lexing its ~70 KB of module text was most of a boot.
    static let bootBytecode: [UInt8] = {
        do {
            return try LuaState.compile(name: "=prelude", source: bootChunk)
        } catch {
            preconditionFailure("the prelude's boot chunk does not compile: \(error)")
        }
    }()

    /// Runs the boot chunk from its bytecode (only the host may load bytecode: it goes
    /// through package.preload, and leaves it as it was).
    static let runBootChunk = """
        local preload = package.preload
        local boot = preload["=prelude"]
        preload["=prelude"] = nil
        boot()
        """

    /// Everything a boot loads, compiled and laid out once per program: the eager
    /// modules and the boot chunk as preload entries, then `runBootChunk` compiled under
    /// the chunk name it ran under as text (so it runs the same instructions).
    static let bootImage: LuaBootImage = {
        do {
            let runner = try LuaState.compile(name: "=prelude", source: runBootChunk)
            return LuaBootImage(modules: eagerBytecode + [("=prelude", bootBytecode)], runner: ("=prelude", runner))
        } catch {
            preconditionFailure("the prelude's boot runner does not compile: \(error)")
        }
    }()

    /// Registers the prelude in `state` and loads `.process`: one call into C.
    public static func install(in state: LuaState) throws {
        try state.boot(bootImage)
    }

    /// The same install a step at a time (a preload call per module, the runner as
    /// text): the reference `install` must match, heap for heap (tests).
    static func installStepByStep(in state: LuaState) throws {
        for module in eagerBytecode {
            try state.preload(name: module.name, bytecode: module.bytecode)
        }
        try state.preload(name: "=prelude", bytecode: bootBytecode)
        try state.exec(runBootChunk, chunkName: "=prelude")
    }
}
