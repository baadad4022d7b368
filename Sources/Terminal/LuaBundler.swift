import Foundation

/// Builds what `.load FILE.lua` sends: the file, preceded by every local module it
/// `require`s (recursively), each registered as a `package.preload` function so that
/// `require` in the process runs it once, on first use, as it would from a file.
///
/// Resolution: `require("a.b")` / `require "a.b"` / `require('a.b')` looks for `a/b.lua`,
/// then `a/b/init.lua`, in the requiring file's directory, then in the loaded file's
/// (so modules may name each other from the project's root, as aos does). Names that start
/// with a dot or name a runtime module (`json`, ...) are left to the process. Any other
/// name with no file is an error naming the requiring file and line, since sending code
/// whose dependency is missing would fail later, inside the process, in worse words.
public struct LuaBundler {
    /// A module found next to the loaded file.
    public struct Module: Equatable, Sendable {
        /// The name as `require` sees it.
        public var name: String
        /// The file it was read from.
        public var path: String
        public var source: String
    }

    /// The Eval text and what went into it (modules in dependency order, main file last).
    public struct Bundle: Equatable, Sendable {
        public var text: String
        public var modules: [Module]
    }

    /// Why a bundle could not be built, in plain words.
    public struct BundleError: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Modules every process has (docs/PROCESS-API.md); never looked for on disk.
    public static let runtimeModules: Set<String> = ["json"]

    public init() {}

    /// Reads `path` and everything it requires locally.
    public func bundle(file path: String) throws(BundleError) -> Bundle {
        var state = Walk(root: (standardized(path) as NSString).deletingLastPathComponent)
        let main = try read(path, requiredBy: nil)
        try visit(name: nil, path: standardized(path), source: main, chain: [], state: &state)
        let modules = state.ordered
        var text = "-- .load \((path as NSString).lastPathComponent)"
        if !modules.isEmpty { text += " (bundled: \(modules.map(\.name).joined(separator: ", ")))" }
        text += "\n"
        for module in modules {
            // Forgetting the loaded copy makes a second `.load` pick up edited modules.
            text += "package.loaded[\(Self.quoted(module.name))] = nil\n"
            text += "package.preload[\(Self.quoted(module.name))] = function(...)\n"
            text += module.source
            if !module.source.hasSuffix("\n") { text += "\n" }
            text += "end\n"
        }
        text += main
        return Bundle(text: text, modules: modules)
    }

    /// Every `require` of a constant name in `source`, with its 1-based line.
    public static func requires(in source: String) -> [(name: String, line: Int)] {
        var found: [(String, Int)] = []
        let scanner = LuaScanner(source)
        for (name, line) in scanner.requireCalls() { found.append((name, line)) }
        return found
    }

    // MARK: - Walking the graph

    private struct Walk {
        /// The loaded file's directory: the second place a module is looked for.
        var root: String
        var ordered: [Module] = []
        var done: Set<String> = []
        var nameOfPath: [String: String] = [:]
    }

    private func visit(name: String?, path: String, source: String, chain: [(name: String, path: String)],
                       state: inout Walk) throws(BundleError) {
        let directory = (path as NSString).deletingLastPathComponent
        let here = chain + [(name ?? (path as NSString).lastPathComponent, path)]
        for (required, line) in Self.requires(in: source) {
            if required.hasPrefix(".") || Self.runtimeModules.contains(required) { continue }
            guard let file = resolve(required, in: directory) ?? resolve(required, in: state.root) else {
                let relative = required.replacingOccurrences(of: ".", with: "/")
                let places = directory == state.root ? directory : "\(directory) or \(state.root)"
                throw BundleError(description: "\(path):\(line): require(\"\(required)\"): no \(relative).lua or "
                    + "\(relative)/init.lua in \(places)")
            }
            if let start = here.firstIndex(where: { $0.path == file }) {
                let cycle = here[start...].map(\.name) + [required]
                throw BundleError(description: "\(path):\(line): require cycle: \(cycle.joined(separator: " → "))")
            }
            if state.done.contains(file) {
                if let existing = state.nameOfPath[file], existing != required {
                    // One file under two names: register it under both, as one function would.
                    if !state.ordered.contains(where: { $0.name == required }),
                       let module = state.ordered.first(where: { $0.path == file }) {
                        state.ordered.append(Module(name: required, path: file, source: module.source))
                    }
                }
                continue
            }
            let text = try read(file, requiredBy: "\(path):\(line)")
            try visit(name: required, path: file, source: text, chain: here, state: &state)
        }
        if let name {
            state.done.insert(path)
            state.nameOfPath[path] = name
            state.ordered.append(Module(name: name, path: path, source: source))
        }
    }

    private func resolve(_ name: String, in directory: String) -> String? {
        let relative = name.replacingOccurrences(of: ".", with: "/")
        for candidate in ["\(relative).lua", "\(relative)/init.lua"] {
            let path = standardized((directory as NSString).appendingPathComponent(candidate))
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { return path }
        }
        return nil
    }

    private func read(_ path: String, requiredBy: String?) throws(BundleError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleError(description: "cannot read \(path)" + (requiredBy.map { " (required at \($0))" } ?? ""))
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
