import Foundation
import LuaVM

/// The AO runtime prelude: the Lua files in Prelude/ (aos-compatible process
/// API and libraries), each registered as `package.preload[".NAME"]`.
public enum Prelude {
    /// (module name, source) for every prelude file, sorted by name. Read once.
    public static let modules: [(name: String, source: String)] = loadModules()

    /// What every message runs, compiled when a process boots. The other modules (the
    /// libraries and the spawn-only `.boot`) stay as text in the heap until their first
    /// `require`: a process pays for bint or crypto only if it uses them.
    static let eagerModules: Set<String> = [
        ".process", ".ao", ".handlers", ".handlers-utils", ".match", ".eval", ".default",
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

    /// The chunk that boots a process: lazy loaders for the modules not compiled
    /// eagerly, then `.process`, whose `handle(msg, env)` becomes `_STARLANE.handle`.
    /// Built once per program.
    static let bootChunk: String = {
        var chunk = """
            -- A loader over a module's text: compiled by the first require (with the chunk
            -- name the host's preload gives), the compiled chunk kept for a re-require.
            local load, assert, type = load, assert, type
            local function lazy(source, chunkName)
              local loader = source
              return function(...)
                if type(loader) == "string" then loader = assert(load(loader, chunkName, "t")) end
                return loader(...)
              end
            end

            """
        for module in modules where !eagerModules.contains(module.name) {
            precondition(module.name.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) },
                         "prelude module name \(module.name) needs quoting")
            let chunkName = "@" + module.name.dropFirst() + ".lua"
            let text = luaLongString(LuaSourceTrimmer.trimmed(module.source))
            chunk += "package.preload[\"\(module.name)\"] = lazy(\(text), \"\(chunkName)\")\n"
        }
        chunk += "_STARLANE = { handle = require('.process').handle }\n"
        return chunk
    }()

    /// `text` as a Lua long-bracket literal, its bytes kept exactly: a level of `=` whose
    /// closing bracket appears neither in the text nor across its end, and a leading
    /// newline (which Lua drops after the opening bracket) so a first newline survives.
    static func luaLongString(_ text: String) -> String {
        precondition(!text.contains("\r"), "a Lua long string would rewrite the carriage returns of \(text.prefix(40))")
        var level = 0
        while (text + "]").contains("]" + String(repeating: "=", count: level) + "]") { level += 1 }
        let equals = String(repeating: "=", count: level)
        return "[" + equals + "[\n" + text + "]" + equals + "]"
    }

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

    /// Registers the prelude in `state` and loads `.process`.
    public static func install(in state: LuaState) throws {
        for module in eagerBytecode {
            try state.preload(name: module.name, bytecode: module.bytecode)
        }
        try state.exec(bootChunk, chunkName: "=prelude")
    }
}
