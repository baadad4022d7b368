/// Draws maps as terminal text: a whole world (sectors side by side at their world
/// positions), a one-character-per-sector overview for large maps, or one sector.
/// ANSI colour is optional so tests and pipes get plain text.
public struct MapRenderer: Sendable {
    public var colour: Bool

    public init(colour: Bool = false) { self.colour = colour }

    /// One cell, coloured when asked.
    public func paint(_ c: Character) -> String {
        guard colour else { return String(c) }
        let code: String
        switch c {
        case "#": code = "90"
        case "*": code = "93"
        case "$": code = "33"
        case "o": code = "32"
        case "@": code = "36"
        case "O": code = "35"
        default: return String(c)
        }
        return "\u{1B}[\(code)m\(c)\u{1B}[0m"
    }

    /// A sector with a header and column/row rulers; `marks` overdraws cells (ships).
    public func render(sector: GameMap.Sector, marks: [(x: Int, y: Int, mark: Character)] = []) -> String {
        var lines = ["\(sector.name) (\(sector.x),\(sector.y)) \(sector.width)x\(sector.height)"]
        lines.append("   " + String((0..<sector.width).map { Character(String($0 % 10)) }))
        for (y, row) in sector.grid.enumerated() {
            var cells = Array(row)
            for m in marks where m.y == y && m.x >= 0 && m.x < cells.count { cells[m.x] = m.mark }
            let label = y < 10 ? " \(y) " : "\(y % 100) "
            lines.append(label + cells.map(paint).joined())
        }
        for w in sector.wormholes { lines.append("   O \(w.x),\(w.y) -> \(w.to) \(w.toX),\(w.toY)") }
        return lines.joined(separator: "\n")
    }

    /// Every sector at its world position, one blank column/row between sectors.
    public func render(world map: GameMap) -> String {
        guard let minX = map.sectors.map(\.x).min(), let maxX = map.sectors.map(\.x).max(),
              let minY = map.sectors.map(\.y).min(), let maxY = map.sectors.map(\.y).max() else { return "" }
        let (w, h) = map.sectorSize
        let byPos = Dictionary(map.sectors.map { ("\($0.x),\($0.y)", $0) }, uniquingKeysWith: { a, _ in a })
        var lines: [String] = ["\(map.name): \(map.sectors.count) sectors of \(w)x\(h), tick \(map.tickMilliseconds) ms"]
        for sy in minY...maxY {
            var header = ""
            for sx in minX...maxX {
                let name = byPos["\(sx),\(sy)"]?.name ?? ""
                header += String((name + String(repeating: " ", count: w + 1)).prefix(w + 1))
            }
            lines.append(header)
            for y in 0..<h {
                var line = ""
                for sx in minX...maxX {
                    if let s = byPos["\(sx),\(sy)"] { line += s.grid[y].map(paint).joined() } else { line += String(repeating: " ", count: w) }
                    line += " "
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One character per sector: '@' spawn, 'o' planets, '$' ore, 'O' wormholes,
    /// '.' empty space, ' ' no sector. For maps too wide to draw cell by cell.
    public func render(overview map: GameMap) -> String {
        guard let minX = map.sectors.map(\.x).min(), let maxX = map.sectors.map(\.x).max(),
              let minY = map.sectors.map(\.y).min(), let maxY = map.sectors.map(\.y).max() else { return "" }
        let byPos = Dictionary(map.sectors.map { ("\($0.x),\($0.y)", $0) }, uniquingKeysWith: { a, _ in a })
        var lines = ["\(map.name): \(map.sectors.count) sectors, \(maxX - minX + 1)x\(maxY - minY + 1) world grid (@ spawn, O wormhole, o planet, $ ore, . space)"]
        for sy in minY...maxY {
            var line = ""
            for sx in minX...maxX {
                guard let s = byPos["\(sx),\(sy)"] else { line += " "; continue }
                let all = s.grid.joined()
                let mark: Character = all.contains("@") ? "@" : all.contains("O") ? "O" : all.contains("o") ? "o" : all.contains("$") ? "$" : "."
                line += paint(mark)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
