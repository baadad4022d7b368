import Foundation

/// A world map (docs/MAPS.md): the world's name, its tick length, and its sectors,
/// each a grid of cells at a position on the world grid. Decoding validates
/// everything the game relies on and reports every problem with its line.
public struct GameMap: Sendable, Equatable {
    /// A wormhole: the `O` cell (x, y) of its sector leads to cell (toX, toY) of `to`.
    public struct Wormhole: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var to: String
        public var toX: Int
        public var toY: Int

        public init(x: Int, y: Int, to: String, toX: Int, toY: Int) {
            self.x = x
            self.y = y
            self.to = to
            self.toX = toX
            self.toY = toY
        }
    }

    /// One sector: a name, a position on the world grid, rows of cells.
    public struct Sector: Sendable, Equatable {
        public var name: String
        public var x: Int
        public var y: Int
        public var grid: [String]
        public var wormholes: [Wormhole]

        public init(name: String, x: Int, y: Int, grid: [String], wormholes: [Wormhole] = []) {
            self.name = name
            self.x = x
            self.y = y
            self.grid = grid
            self.wormholes = wormholes
        }

        public var width: Int { grid.first?.count ?? 0 }
        public var height: Int { grid.count }

        /// The cell character at (x, y), or nil outside the grid.
        public func cell(x: Int, y: Int) -> Character? {
            guard y >= 0, y < grid.count, x >= 0 else { return nil }
            let row = grid[y]
            guard x < row.count else { return nil }
            return row[row.index(row.startIndex, offsetBy: x)]
        }
    }

    /// The cell characters of GAME.md.
    public static let cellCharacters: Set<Character> = [".", "#", "*", "$", "o", "@", "O"]
    /// Ships may stand on these.
    public static let passableCharacters: Set<Character> = [".", "$", "@", "O"]

    public var name: String
    public var tickMilliseconds: Int
    public var sectors: [Sector]
    public var description: String?

    public init(name: String, tickMilliseconds: Int, sectors: [Sector], description: String? = nil) {
        self.name = name
        self.tickMilliseconds = tickMilliseconds
        self.sectors = sectors
        self.description = description
    }

    /// Reads and validates a map file; errors name the file and line.
    public static func load(path: String) throws -> GameMap {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw GameMapError(problems: ["\(path): cannot read the file (\(error.localizedDescription))"])
        }
        return try GameMap(json: text, source: path)
    }

    /// Decodes and validates a map; `source` prefixes every problem ("Maps/x.json:42: ...").
    public init(json text: String, source: String = "map") throws {
        var parser = LocatedJSONParser(text)
        let root: LocatedJSON
        do { root = try parser.parseDocument() } catch {
            throw GameMapError(problems: ["\(source):\(error.line): \(error.message)"])
        }
        var decoder = GameMapDecoder(source: source)
        guard let map = decoder.decode(root), decoder.problems.isEmpty else {
            throw GameMapError(problems: decoder.problems)
        }
        self = map
    }

    public func sector(named name: String) -> Sector? { sectors.first { $0.name == name } }

    /// Width and height of every sector (validated equal).
    public var sectorSize: (width: Int, height: Int) { (sectors.first?.width ?? 0, sectors.first?.height ?? 0) }

    /// The map as compact JSON with sorted keys (what the world's `Init` carries).
    public func jsonText() -> String {
        var sectorsJSON: [[String: Any]] = []
        for s in sectors {
            var entry: [String: Any] = ["name": s.name, "x": s.x, "y": s.y, "grid": s.grid]
            if !s.wormholes.isEmpty {
                entry["wormholes"] = s.wormholes.map { ["x": $0.x, "y": $0.y, "to": $0.to, "to_x": $0.toX, "to_y": $0.toY] }
            }
            sectorsJSON.append(entry)
        }
        var object: [String: Any] = ["name": name, "tick_ms": tickMilliseconds, "sectors": sectorsJSON]
        if let description { object["description"] = description }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// Every problem found in a map, one sentence each, with file and line.
public struct GameMapError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) { self.problems = problems }

    public var description: String { problems.joined(separator: "\n") }
}

/// Walks the located JSON, collecting problems rather than stopping at the first.
struct GameMapDecoder {
    let source: String
    var problems: [String] = []

    init(source: String) { self.source = source }

    private mutating func problem(_ line: Int, _ text: String) { problems.append("\(source):\(line): \(text)") }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.-")

    private mutating func name(_ value: LocatedJSON?, in context: String, at line: Int) -> String? {
        guard let value else { problem(line, "\(context)missing \"name\""); return nil }
        guard let s = value.string else { problem(value.line, "\(context)\"name\" must be a string, found \(value.kind)"); return nil }
        if s.isEmpty || s.count > 32 || !s.allSatisfy({ Self.nameCharacters.contains($0) }) || s.first == " " || s.last == " " {
            problem(value.line, "\(context)name '\(s)' must be 1 to 32 letters, digits, spaces, '_', '.' or '-', without spaces at the ends")
            return nil
        }
        return s
    }

    private mutating func int(_ object: LocatedJSON, _ key: String, context: String) -> Int? {
        guard let value = object[key] else { problem(object.line, "\(context)missing \"\(key)\""); return nil }
        guard let n = value.int else { problem(value.line, "\(context)\"\(key)\" must be a whole number, found \(value.kind)"); return nil }
        return n
    }

    private mutating func unknownKeys(_ object: LocatedJSON, allowed: Set<String>, context: String) {
        for key in object.keys where !allowed.contains(key) {
            problem(object[key]!.line, "\(context)unknown key \"\(key)\" (expected one of \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    mutating func decode(_ root: LocatedJSON) -> GameMap? {
        guard root.isObject else { problem(root.line, "a map is a JSON object, found \(root.kind)"); return nil }
        unknownKeys(root, allowed: ["name", "description", "tick_ms", "sectors"], context: "")
        let mapName = name(root["name"], in: "map: ", at: root.line)
        let tick = int(root, "tick_ms", context: "")
        if let tick, !(10...3_600_000).contains(tick), let line = root["tick_ms"]?.line {
            problem(line, "\"tick_ms\" must be between 10 and 3600000 milliseconds, found \(tick)")
        }
        var description: String?
        if let d = root["description"] {
            if let s = d.string { description = s } else { problem(d.line, "\"description\" must be a string") }
        }
        guard let list = root["sectors"] else { problem(root.line, "missing \"sectors\""); return nil }
        guard let items = list.array, !items.isEmpty else {
            problem(list.line, "\"sectors\" must be a non-empty array, found \(list.array == nil ? list.kind : "an empty array")")
            return nil
        }
        var sectors: [(GameMap.Sector, LocatedJSON)] = []
        var size: (width: Int, height: Int, from: String)?
        var names: [String: Int] = [:]
        var positions: [String: String] = [:]
        for item in items {
            guard item.isObject else { problem(item.line, "a sector is a JSON object, found \(item.kind)"); continue }
            guard let sectorName = name(item["name"], in: "sector: ", at: item.line) else { continue }
            let context = "sector '\(sectorName)': "
            unknownKeys(item, allowed: ["name", "description", "x", "y", "grid", "wormholes"], context: context)
            if let first = names[sectorName] {
                problem(item["name"]!.line, "\(context)the name is used already by the sector on line \(first)")
            }
            names[sectorName] = item.line
            let x = int(item, "x", context: context), y = int(item, "y", context: context)
            if let x, let y {
                if let other = positions["\(x),\(y)"] {
                    problem(item["x"]!.line, "\(context)position \(x),\(y) is taken already by sector '\(other)'")
                }
                positions["\(x),\(y)"] = sectorName
            }
            guard let rowsValue = item["grid"] else { problem(item.line, "\(context)missing \"grid\""); continue }
            guard let rowItems = rowsValue.array, !rowItems.isEmpty else {
                problem(rowsValue.line, "\(context)\"grid\" must be a non-empty array of strings"); continue
            }
            var rows: [String] = []
            for (index, rowValue) in rowItems.enumerated() {
                guard let row = rowValue.string else {
                    problem(rowValue.line, "\(context)row \(index) must be a string, found \(rowValue.kind)"); continue
                }
                let expected = size?.width ?? rowItems.first?.string?.count ?? row.count
                if row.count != expected {
                    problem(rowValue.line, "\(context)row \(index) has \(row.count) cell\(row.count == 1 ? "" : "s"), expected \(expected)")
                }
                for (column, c) in row.enumerated() where !GameMap.cellCharacters.contains(c) {
                    problem(rowValue.line, "\(context)row \(index), column \(column): unknown cell '\(c)' (cells are . # * $ o @ O)")
                }
                rows.append(row)
            }
            if let size, rows.count != size.height {
                problem(rowsValue.line, "\(context)the grid has \(rows.count) rows, expected \(size.height) like sector '\(size.from)'")
            }
            if size == nil, let first = rows.first {
                size = (first.count, rows.count, sectorName)
                if first.isEmpty || first.count > 256 || rows.count > 256 {
                    problem(rowsValue.line, "\(context)a grid is 1 to 256 cells wide and high")
                }
            }
            var wormholes: [GameMap.Wormhole] = []
            if let list = item["wormholes"] {
                if let entries = list.array {
                    for entry in entries {
                        guard entry.isObject else { problem(entry.line, "\(context)a wormhole is an object, found \(entry.kind)"); continue }
                        unknownKeys(entry, allowed: ["x", "y", "to", "to_x", "to_y"], context: context + "wormhole: ")
                        let wx = int(entry, "x", context: context + "wormhole: ")
                        let wy = int(entry, "y", context: context + "wormhole: ")
                        let tx = int(entry, "to_x", context: context + "wormhole: ")
                        let ty = int(entry, "to_y", context: context + "wormhole: ")
                        guard let to = entry["to"]?.string else {
                            problem(entry.line, "\(context)wormhole: \"to\" must name a sector"); continue
                        }
                        if let wx, let wy, let tx, let ty { wormholes.append(.init(x: wx, y: wy, to: to, toX: tx, toY: ty)) }
                    }
                } else {
                    problem(list.line, "\(context)\"wormholes\" must be an array")
                }
            }
            sectors.append((GameMap.Sector(name: sectorName, x: x ?? 0, y: y ?? 0, grid: rows, wormholes: wormholes), item))
        }
        checkWormholes(sectors)
        if !sectors.contains(where: { $0.0.grid.contains { $0.contains("@") } }) {
            problem(list.line, "the map has no spawn point '@': new players could not start")
        }
        guard let mapName, let tick else { return nil }
        return GameMap(name: mapName, tickMilliseconds: tick, sectors: sectors.map(\.0), description: description)
    }

    /// Each `O` cell has exactly one wormhole entry, and each entry leads to a cell a
    /// ship can stand on in an existing sector.
    private mutating func checkWormholes(_ sectors: [(GameMap.Sector, LocatedJSON)]) {
        let byName = Dictionary(sectors.map { ($0.0.name, $0.0) }, uniquingKeysWith: { a, _ in a })
        for (sector, json) in sectors {
            let context = "sector '\(sector.name)': "
            let line = json["wormholes"]?.line ?? json.line
            var seen = Set<String>()
            for w in sector.wormholes {
                if sector.cell(x: w.x, y: w.y) != "O" {
                    problem(line, "\(context)wormhole at \(w.x),\(w.y) is not on an 'O' cell")
                }
                if !seen.insert("\(w.x),\(w.y)").inserted {
                    problem(line, "\(context)two wormholes start at \(w.x),\(w.y)")
                }
                guard let target = byName[w.to] else {
                    problem(line, "\(context)wormhole at \(w.x),\(w.y) leads to unknown sector '\(w.to)'"); continue
                }
                guard let c = target.cell(x: w.toX, y: w.toY) else {
                    problem(line, "\(context)wormhole at \(w.x),\(w.y) leads to \(w.toX),\(w.toY), outside sector '\(w.to)'"); continue
                }
                if !GameMap.passableCharacters.contains(c) || c == "O" {
                    problem(line, "\(context)wormhole at \(w.x),\(w.y) leads to \(w.toX),\(w.toY) of sector '\(w.to)', a '\(c)' cell: it must be . $ or @")
                }
            }
            for (y, row) in sector.grid.enumerated() {
                for (x, c) in row.enumerated() where c == "O" && !seen.contains("\(x),\(y)") {
                    let rowLine = json["grid"]?.array?[y].line ?? json.line
                    problem(rowLine, "\(context)the 'O' at \(x),\(y) has no entry in \"wormholes\"")
                }
            }
        }
    }
}
