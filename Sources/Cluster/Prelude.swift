import Foundation
import LuaVM

/// The AO runtime prelude: the Lua files in Prelude/ (aos-compatible process
/// API and libraries), each registered as `package.preload[".NAME"]`.
public enum Prelude {
    /// (module name, source) for every prelude file, sorted by name. Read once.
    public static let modules: [(name: String, source: String)] = loadModules()

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

    /// Registers every prelude module in `state` and loads `.process`, whose
    /// `handle(msg, env)` becomes `_STARLANE.handle`, the host's entry point.
    public static func install(in state: LuaState) throws {
        for module in modules {
            try state.preload(name: module.name, source: module.source)
        }
        try state.exec("_STARLANE = { handle = require('.process').handle }", chunkName: "=prelude")
    }
}
