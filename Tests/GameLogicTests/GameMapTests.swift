import Foundation
import Testing
import Game

/// Map decoding and validation, bundling, rendering.
@Suite struct GameMapTests {
    static let good = """
        {
          "name": "mini",
          "tick_ms": 500,
          "sectors": [
            { "name": "A", "x": 0, "y": 0,
              "grid": ["@...", "..O.", "...."],
              "wormholes": [ { "x": 2, "y": 1, "to": "B", "to_x": 0, "to_y": 0 } ] },
            { "name": "B", "x": 1, "y": 0,
              "grid": ["....", ".o..", "...$"] }
          ]
        }
        """

    @Test func theTutorialAndLargeMapsAreValid() throws {
        let tutorial = try GameMap.load(path: GameHarness.root.appendingPathComponent("Maps/tutorial.json").path)
        #expect(tutorial.sectors.count == 4)
        #expect(tutorial.sectorSize == (16, 10))
        let large = try GameMap.load(path: GameHarness.root.appendingPathComponent("Maps/large.json").path)
        #expect(large.sectors.count >= 300)
    }

    @Test func aGoodMapDecodesAndRoundTripsThroughItsJSON() throws {
        let map = try GameMap(json: Self.good)
        #expect(map.name == "mini")
        #expect(map.sector(named: "A")?.wormholes == [GameMap.Wormhole(x: 2, y: 1, to: "B", toX: 0, toY: 0)])
        #expect(try GameMap(json: map.jsonText()) == map)
    }

    @Test func aShortRowIsReportedWithItsLineAndSector() throws {
        let bad = Self.good.replacingOccurrences(of: "\"....\", \".o..\"", with: "\"....\", \".o.\"")
        let error = try #require(throws: GameMapError.self) { try GameMap(json: bad, source: "Maps/x.json") }
        #expect(error.problems == ["Maps/x.json:9: sector 'B': row 1 has 3 cells, expected 4"])
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() throws {
        let bad = """
            {
              "name": "bad",
              "tick_ms": 5,
              "sectors": [
                { "name": "A", "x": 0, "y": 0, "grid": ["..O.", "..x."] },
                { "name": "A", "x": 0, "y": 0, "grid": ["....", "...."],
                  "wormholes": [ { "x": 1, "y": 1, "to": "C", "to_x": 0, "to_y": 0 } ] }
              ]
            }
            """
        let error = try #require(throws: GameMapError.self) { try GameMap(json: bad, source: "m.json") }
        let text = error.description
        #expect(text.contains("m.json:3: \"tick_ms\" must be between 10 and 3600000 milliseconds, found 5"))
        #expect(text.contains("m.json:5: sector 'A': row 1, column 2: unknown cell 'x'"))
        #expect(text.contains("m.json:6: sector 'A': the name is used already by the sector on line 5"))
        #expect(text.contains("m.json:6: sector 'A': position 0,0 is taken already by sector 'A'"))
        #expect(text.contains("wormhole at 1,1 is not on an 'O' cell"))
        #expect(text.contains("wormhole at 1,1 leads to unknown sector 'C'"))
        #expect(text.contains("m.json:5: sector 'A': the 'O' at 2,0 has no entry in \"wormholes\""))
        #expect(text.contains("the map has no spawn point"))
    }

    @Test func aSyntaxErrorNamesItsLine() throws {
        let error = try #require(throws: GameMapError.self) {
            try GameMap(json: "{\n  \"name\": \"x\",\n  \"tick_ms\": 100\n  \"sectors\": []\n}", source: "s.json")
        }
        #expect(error.problems == ["s.json:4: expected ',' or '}' in an object"])
    }

    @Test func theRendererDrawsASectorAndTheWorld() throws {
        let map = try GameMap(json: Self.good)
        let sector = MapRenderer().render(sector: map.sectors[1], marks: [(x: 0, y: 0, mark: "1")])
        #expect(sector.split(separator: "\n").map(String.init) == ["B (1,0) 4x3", "   0123", " 0 1...", " 1 .o..", " 2 ...$"])
        let world = MapRenderer().render(world: map)
        #expect(world.contains("@... ...."))
        #expect(MapRenderer(colour: true).paint("o") == "\u{1B}[32mo\u{1B}[0m")
        #expect(MapRenderer().render(overview: map).hasSuffix("\n@o"))
    }

    @Test func theBundlePreloadsEveryRulesModuleAndLoadsEachMainFileByName() throws {
        let bundle = GameHarness.bundle
        for name in ["config", "grid", "movement", "combat", "mining", "capture", "economy", "building", "orders"] {
            #expect(bundle.sector.contains("package.preload[\"rules.\(name)\"]"))
        }
        #expect(bundle.world.contains("\"=world.lua\""))
        #expect(bundle.player.contains("\"=player.lua\""))
    }
}
