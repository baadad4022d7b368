import ArgumentParser
import Foundation
import Game

/// `starlane map check FILE` and `starlane map show FILE [--sector NAME]`: validate
/// and draw world maps (docs/MAPS.md).
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Check and draw world maps (Maps/*.json, docs/MAPS.md).",
        subcommands: [Check.self, Show.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a map: print every problem with its line and exit 1, or a summary.")

        @Argument(help: "The map file.")
        var file: String

        func run() throws {
            do {
                let map = try GameMap.load(path: file)
                let size = map.sectorSize
                let spawns = map.sectors.filter { $0.grid.contains { $0.contains("@") } }.count
                let wormholes = map.sectors.reduce(0) { $0 + $1.wormholes.count }
                print("\(file): ok: '\(map.name)', \(map.sectors.count) sectors of \(size.width)x\(size.height), "
                      + "\(spawns) with spawn points, \(wormholes) wormholes, tick \(map.tickMilliseconds) ms")
            } catch let error as GameMapError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a map: every sector at its world position (or one character per sector when wide), or one sector.")

        @Argument(help: "The map file.")
        var file: String

        @Option(help: "Draw only this sector.")
        var sector: String?

        @Flag(help: "Colour the cells with ANSI escapes.")
        var colour = false

        @Flag(help: "One character per sector, whatever the map's size.")
        var overview = false

        func run() throws {
            let map: GameMap
            do { map = try GameMap.load(path: file) } catch let error as GameMapError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
            let renderer = MapRenderer(colour: colour)
            if let name = sector {
                guard let s = map.sector(named: name) else {
                    throw ValidationError("no sector named '\(name)' in \(file)")
                }
                print(renderer.render(sector: s))
                return
            }
            let columns = (map.sectors.map(\.x).max() ?? 0) - (map.sectors.map(\.x).min() ?? 0) + 1
            let wide = columns * (map.sectorSize.width + 1) > 160
            print(overview || wide ? renderer.render(overview: map) : renderer.render(world: map))
        }
    }
}
