import Foundation

/// The game's Lua, bundled into the three module sources the node stores: the world,
/// the sector and the player. A node module is ONE Lua text and `require` searches only
/// `package.preload`, so every `GameLogic/rules/NAME.lua` becomes
///
///     package.preload["rules.NAME"] = function(...) return assert(load(<text>, "=rules/NAME.lua"))(...) end
///
/// followed by the main file loaded the same way (`=world.lua`), so Lua errors name
/// the original file and line. The sandbox allows assigning `package.preload`; the
/// modules run once, at the process's boot (slot 0), and live in its persisted heap.
public struct GameBundle: Sendable {
    /// The GameLogic directory the sources came from.
    public let directory: URL
    /// Module source of the world process.
    public let world: String
    /// Module source of every sector process.
    public let sector: String
    /// Module source of every player process.
    public let player: String

    /// Reads `directory` (default: `./GameLogic` relative to the current directory).
    public init(directory: URL? = nil) throws {
        let dir = directory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("GameLogic")
        self.directory = dir
        let rulesDir = dir.appendingPathComponent("rules")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: rulesDir.path) else {
            throw GameBundleError("no rules directory at \(rulesDir.path) (give the GameLogic directory explicitly)")
        }
        var preamble = "-- Starlane game module, bundled from GameLogic/ by GameBundle (Sources/Game).\n"
        for name in names.filter({ $0.hasSuffix(".lua") }).sorted() {
            let module = "rules." + name.dropLast(4)
            let text = try Self.read(rulesDir.appendingPathComponent(name))
            preamble += "package.preload[\"\(module)\"] = function(...) return assert(load(\(Self.longString(text)), \"=rules/\(name)\"))(...) end\n"
        }
        func main(_ file: String) throws -> String {
            let text = try Self.read(dir.appendingPathComponent(file))
            return preamble + "assert(load(\(Self.longString(text)), \"=\(file)\"))()\n"
        }
        world = try main("world.lua")
        sector = try main("sector.lua")
        player = try main("player.lua")
    }

    private static func read(_ url: URL) throws -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw GameBundleError("cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// A Lua long-bracket literal holding `text` exactly: the level is one whose
    /// closing bracket does not occur in the text, and nothing precedes the text (a
    /// newline right after the opening bracket would be dropped and shift lines).
    static func longString(_ text: String) -> String {
        var level = 0
        // `text + "]"` also catches a text ending in "]" or "]=", which would close early.
        while (text + "]").contains("]" + String(repeating: "=", count: level) + "]") { level += 1 }
        let eq = String(repeating: "=", count: level)
        let body = text.hasPrefix("\n") ? "\n" + text : text
        return "[\(eq)[\(body)]\(eq)]"
    }
}

/// Why the game's Lua could not be bundled.
public struct GameBundleError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
