/// Draws the model and the screen state into a `PlayBuffer`. Pure: the terminal
/// backend copies the buffer's changed cells to the screen, and tests read it.
public struct PlayRenderer: Sendable {
    public init() {}

    /// Colours of other players' ships and planets, by player number.
    static let rivalColours: [PlayColour] = [.red, .magenta, .blue, .cyan]

    public func render(_ model: PlayModel, _ ui: PlayUI, width: Int, height: Int) -> PlayBuffer {
        var buffer = PlayBuffer(width: width, height: height)
        let sectorName = model.sectorName(selected: ui.selected)
        let sector = sectorName.flatMap { model.sectors[$0] }
        let layout = PlayLayout(width: width, height: height, sectorWidth: sector?.width ?? 0,
                                sectorHeight: sector?.height ?? 0)
        if layout.tooSmall {
            buffer.put("terminal too small: \(width)x\(height)", x: 0, y: 0, PlayStyle(.red, bold: true))
            buffer.put("need \(PlayLayout.minWidth)x\(PlayLayout.minHeight); q quits", x: 0, y: 1)
            return buffer
        }
        header(&buffer, model, sectorName, sector)
        map(&buffer, layout, model, ui, sector)
        panel(&buffer, layout, model, ui, sector)
        eventLog(&buffer, layout, model, ui)
        status(&buffer, layout, model, ui, sectorName)
        commandLine(&buffer, layout, ui)
        if ui.help { help(&buffer, layout) }
        return buffer
    }

    // MARK: - Parts

    func header(_ b: inout PlayBuffer, _ model: PlayModel, _ name: String?, _ sector: PlaySectorState?) {
        var text = " STARLANE  \(model.me.name ?? "?") (#\(model.me.no.map(String.init) ?? "?"))"
        text += "  sector \(name ?? "unknown")"
        if let tick = sector?.tick { text += " @ tick \(tick)" }
        b.put(text, x: 0, y: 0, PlayStyle(.cyan, bold: true))
        if model.stale {
            let mark = model.connection == .connected ? " waiting for news " : " STALE: not connected "
            b.put(mark, x: max(0, b.width - mark.count), y: 0, PlayStyle(.red, bold: true, reverse: true))
        }
    }

    func map(_ b: inout PlayBuffer, _ layout: PlayLayout, _ model: PlayModel, _ ui: PlayUI, _ sector: PlaySectorState?) {
        guard let sector, let grid = sector.grid, !grid.isEmpty else {
            b.put("waiting for the sector's map...", x: 0, y: layout.mapTop, PlayStyle(dim: true),
                  limit: layout.panelX - 1)
            return
        }
        let ox = PlayLayout.offset(cursor: ui.cursor.x, visible: layout.mapColumns, size: sector.width)
        let oy = PlayLayout.offset(cursor: ui.cursor.y, visible: layout.mapRows, size: sector.height)
        let columns = min(layout.mapColumns, sector.width - ox), rows = min(layout.mapRows, sector.height - oy)
        let dim = model.stale
        for i in 0..<columns {
            b.put(String((ox + i) % 10), x: PlayLayout.labelWidth + i * PlayLayout.cellWidth, y: layout.mapTop - 1,
                  PlayStyle(dim: true))
        }
        var targets: [PlayPoint: PlayOrderState] = [:]
        for id in model.shipIDs {
            if let order = model.order(of: id), let t = order.request.target, model.ships[id]?.sector == sector.name,
               !Self.isFailed(order.state) {
                targets[t] = order.state
            }
        }
        for j in 0..<rows {
            let y = oy + j, row = Array(grid[y]), sy = layout.mapTop + j
            b.put(String(y).count == 1 ? " \(y) " : "\(y % 100) ", x: 0, y: sy, PlayStyle(dim: true))
            for i in 0..<columns {
                let x = ox + i, sx = PlayLayout.labelWidth + i * PlayLayout.cellWidth
                let p = PlayPoint(x, y)
                var first = PlayCell(x < row.count ? row[x] : " ", terrainStyle(x < row.count ? row[x] : " "))
                var second = PlayCell(" ", .plain)
                if first.character == "o", let planet = sector.planet(at: p), planet.owner != 0 {
                    first.style = PlayStyle(planet.owner == model.me.no ? .green : Self.colour(of: planet.owner), bold: true)
                }
                if let state = targets[p] {
                    second = PlayCell("+", PlayStyle(state.isPending ? .yellow : .green, bold: true))
                }
                if let ship = sector.ship(at: p) {
                    let mine = ship.owner == model.me.no
                    let name = mine ? model.me.name : (sector.players[ship.owner] ?? model.playerName(ship.owner))
                    let style = PlayStyle(mine ? (ship.id == ui.selected ? .yellow : .green) : Self.colour(of: ship.owner),
                                          bold: true, underline: ship.id == ui.selected)
                    first = PlayCell(Self.initial(name, owner: ship.owner), style)
                    second = PlayCell(Self.shipMark(ship.id), style)
                }
                if dim {
                    first.style.dim = true
                    second.style.dim = true
                    first.style.bold = false
                    second.style.bold = false
                }
                if p == ui.cursor {
                    first.style.reverse = true
                    second.style.reverse = true
                }
                b[sx, sy] = first
                b[sx + 1, sy] = second
            }
        }
    }

    func panel(_ b: inout PlayBuffer, _ layout: PlayLayout, _ model: PlayModel, _ ui: PlayUI, _ sector: PlaySectorState?) {
        let x = layout.panelX, w = layout.panelWidth
        guard w >= 10 else { return }
        let top = 1, bottom = layout.logTop - 2
        var y = top
        func line(_ text: String, _ style: PlayStyle = .plain) {
            guard y <= bottom else { return }
            b.put(text, x: x, y: y, style, limit: w)
            y += 1
        }
        let me = model.me
        line("\(me.name ?? "?") (#\(me.no.map(String.init) ?? "?"))  score \(me.score)", PlayStyle(bold: true))
        line("credits \(me.credits)" + (me.reserved > 0 ? " (\(me.reserved) reserved)" : "") + "  ore \(me.ore)")
        line("planets \(me.planets)  ships \(model.ships.count)")
        let detailRows = 4
        let ids = model.shipIDs
        let listRows = max(0, bottom - y + 1 - detailRows - 1)
        line(String(repeating: "-", count: min(w, 30)), PlayStyle(dim: true))
        if ids.isEmpty { line("no ships", PlayStyle(dim: true)) }
        let selectedIndex = ui.selected.flatMap { ids.firstIndex(of: $0) } ?? 0
        let start = ids.count <= listRows ? 0 : min(max(0, selectedIndex - listRows / 2), ids.count - listRows)
        for (n, id) in ids.enumerated().dropFirst(start).prefix(listRows) {
            guard let ship = model.ships[id] else { continue }
            let selected = id == ui.selected
            var text = (selected ? "> " : "  ") + id + " " + (ship.sector ?? "?")
            text += " " + (ship.position.map { "\($0.x),\($0.y)" } ?? "moving")
            text += " h\(ship.hull) c\(ship.cargo)"
            if n == start + listRows - 1 && start + listRows < ids.count { text = "  (+\(ids.count - start - listRows + 1) more)" }
            let startX = x
            b.put(text, x: startX, y: y, PlayStyle(selected ? .yellow : .green, bold: selected), limit: w)
            if let order = model.order(of: id), text.count + 2 < w {
                let o = " " + Self.orderText(order)
                b.put(o, x: startX + text.count, y: y, Self.orderStyle(order.state), limit: w - text.count)
            }
            y += 1
        }
        y = max(y, bottom - detailRows + 1)
        if let id = ui.selected, let ship = model.ships[id] {
            line("selected \(id) in \(ship.sector ?? "?") at " + (ship.position.map { "\($0.x),\($0.y)" } ?? "(in transit)"),
                 PlayStyle(.yellow, bold: true))
            line("hull \(ship.hull)/\(PlayModel.hullMax)  cargo \(ship.cargo)/\(PlayModel.cargoMax)")
            if let order = model.order(of: id) {
                b.put("order: ", x: x, y: y, .plain, limit: w)
                b.put(order.request.summary + " " + Self.stateText(order.state), x: x + 7, y: y, Self.orderStyle(order.state),
                      limit: w - 7)
                y += 1
            } else {
                line("order: none", PlayStyle(dim: true))
            }
        } else {
            line("no ship selected", PlayStyle(dim: true))
            y += 2
        }
        line("cursor \(ui.cursor.x),\(ui.cursor.y): " + describe(ui.cursor, sector, model), PlayStyle(dim: false))
    }

    func describe(_ p: PlayPoint, _ sector: PlaySectorState?, _ model: PlayModel) -> String {
        guard let sector, let c = sector.cell(p) else { return "unknown" }
        var parts: [String] = []
        if let ship = sector.ship(at: p) {
            let owner = ship.owner == model.me.no ? "yours" : (sector.players[ship.owner] ?? "P\(ship.owner)")
            parts.append("\(ship.id) (\(owner) h\(ship.hull))")
        }
        switch c {
        case ".": if parts.isEmpty { parts.append("open space") }
        case "#": parts.append("rock")
        case "*": parts.append("star")
        case "$": parts.append("ore field")
        case "@": parts.append("spawn point")
        case "O": parts.append("wormhole")
        case "o":
            let owner = sector.planet(at: p)?.owner ?? 0
            parts.append(owner == 0 ? "neutral planet" : owner == model.me.no ? "your planet"
                         : "planet of \(sector.players[owner] ?? "P\(owner)")")
        default: break
        }
        return parts.joined(separator: ", ")
    }

    func eventLog(_ b: inout PlayBuffer, _ layout: PlayLayout, _ model: PlayModel, _ ui: PlayUI) {
        let sepY = layout.logTop - 1
        b.fill("-", x: 0, y: sepY, width: b.width, PlayStyle(dim: true))
        let title = ui.logScroll > 0 ? " events (scrolled back \(ui.logScroll); PgDn) " : " events "
        b.put(title, x: 2, y: sepY, PlayStyle(dim: true))
        guard layout.logRows > 0 else { return }
        // Wrap the newest lines to the width, newest at the bottom.
        var rows: [(String, PlayStyle)] = []
        let needed = layout.logRows + ui.logScroll
        for line in model.log.reversed() {
            let style = Self.logStyle(line.kind)
            var chunks: [String] = []
            var rest = Substring(line.text)
            repeat {
                chunks.append(String(rest.prefix(b.width)))
                rest = rest.dropFirst(b.width)
            } while !rest.isEmpty
            rows.insert(contentsOf: chunks.map { ($0, style) }, at: 0)
            if rows.count >= needed { break }
        }
        let end = max(0, rows.count - ui.logScroll)
        let visible = rows[max(0, end - layout.logRows)..<end]
        for (i, row) in visible.enumerated() {
            b.put(row.0, x: 0, y: layout.logTop + i, row.1)
        }
    }

    func status(_ b: inout PlayBuffer, _ layout: PlayLayout, _ model: PlayModel, _ ui: PlayUI, _ sector: String?) {
        let y = layout.statusY
        b.fill(x: 0, y: y, width: b.width, PlayStyle(reverse: true))
        var x = 0
        func part(_ text: String, _ colour: PlayColour = .normal) {
            b.put(text, x: x, y: y, PlayStyle(colour, bold: colour != .normal, reverse: true))
            x += text.count
        }
        part(" tick \(model.tick) ")
        part("| rtt " + (model.lastRoundTrip.map { "\($0) ms" } ?? "-") + " ")
        part("| ")
        switch model.connection {
        case .connecting: part("connecting", .yellow)
        case .connected: part("connected", .green)
        case let .reconnecting(why): part("reconnecting (\(why))", .yellow)
        case let .down(why): part("down: \(why)", .red)
        }
        let pending = model.orders.values.filter { $0.state.isPending }.count
        if pending > 0 { part(" | \(pending) unconfirmed", .yellow) }
        let right = " \(sector ?? "?") \(ui.cursor.x),\(ui.cursor.y) | ? help "
        if x + right.count < b.width { b.put(right, x: b.width - right.count, y: y, PlayStyle(reverse: true)) }
    }

    func commandLine(_ b: inout PlayBuffer, _ layout: PlayLayout, _ ui: PlayUI) {
        let y = layout.commandY
        switch ui.mode {
        case let .command(text): prompt(&b, y, ":", text)
        case let .chat(text): prompt(&b, y, "say> ", text)
        case .normal:
            b.put("hjkl/arrows cursor  HJKL step  Tab ship  m move  a attack  g mine  c capture  s sell  b build  x stop  t chat  : cmd  ? help  q quit",
                  x: 0, y: y, PlayStyle(dim: true))
        }
    }

    private func prompt(_ b: inout PlayBuffer, _ y: Int, _ label: String, _ text: String) {
        // Show the end of a long line.
        let room = b.width - label.count - 1
        let shown = text.count > room ? String(text.suffix(room)) : text
        b.put(label, x: 0, y: y, PlayStyle(.yellow, bold: true))
        b.put(shown, x: label.count, y: y)
        b.put("_", x: label.count + shown.count, y: y, PlayStyle(reverse: true))
    }

    static let helpLines = [
        "Starlane: keys",
        "",
        "arrows, h j k l   move the cursor",
        "H J K L, shift+arrows   step the selected ship N/S/W/E",
        "Tab, shift+Tab    select the next / previous ship",
        "m    move the selected ship to the cursor",
        "a    attack the ship under the cursor",
        "g mine   c capture (planet under cursor)   s sell",
        "b    build a ship at the planet under the cursor",
        "x    stop the selected ship     v  refresh (View)",
        "Enter or t   chat in the sector   PgUp/PgDn  log",
        ":    command: move X Y, step N, stop, attack SHIP,",
        "     mine, capture [X Y], sell, build [X Y], say TEXT,",
        "     view, select SHIP, quit",
        "q    quit       Ctrl-L  redraw",
        "",
        "yellow +: move target, unconfirmed; green +: confirmed",
        "any key closes this help",
    ]

    func help(_ b: inout PlayBuffer, _ layout: PlayLayout) {
        let w = min(b.width - 2, 60), h = min(b.height - 2, Self.helpLines.count + 2)
        let x0 = (b.width - w) / 2, y0 = max(0, (b.height - h) / 2)
        for y in y0..<(y0 + h) { b.fill(x: x0, y: y, width: w, PlayStyle(reverse: false)) }
        b.fill("-", x: x0, y: y0, width: w, PlayStyle(.cyan))
        b.fill("-", x: x0, y: y0 + h - 1, width: w, PlayStyle(.cyan))
        for y in y0..<(y0 + h) {
            b.put("|", x: x0, y: y, PlayStyle(.cyan))
            b.put("|", x: x0 + w - 1, y: y, PlayStyle(.cyan))
        }
        for (i, text) in Self.helpLines.prefix(h - 2).enumerated() {
            b.put(text, x: x0 + 2, y: y0 + 1 + i, i == 0 ? PlayStyle(.cyan, bold: true) : .plain, limit: w - 4)
        }
    }

    // MARK: - Styles

    static func colour(of owner: Int) -> PlayColour { rivalColours[abs(owner) % rivalColours.count] }

    /// The first letter of the owner's name, upper case ('P' + nothing known: '?').
    static func initial(_ name: String?, owner: Int) -> Character {
        guard let c = name?.first(where: { $0.isLetter || $0.isNumber }), c.isASCII else { return "?" }
        return Character(c.uppercased())
    }

    /// The ship's number after the dot, one character: 1-9, then a-z, then '+'.
    static func shipMark(_ id: String) -> Character {
        let n = PlayModel.shipNumber(id)
        if n >= 0 && n < 10 { return Character(String(n)) }
        if n < 36 { return Character(UnicodeScalar(UInt8(87 + n))) }
        return "+"
    }

    func terrainStyle(_ c: Character) -> PlayStyle {
        switch c {
        case ".": PlayStyle(dim: true)
        case "#": PlayStyle(.white)
        case "*": PlayStyle(.yellow, bold: true)
        case "$": PlayStyle(.yellow)
        case "o": PlayStyle(.white, bold: true)
        case "@": PlayStyle(.cyan)
        case "O": PlayStyle(.magenta, bold: true)
        default: .plain
        }
    }

    static func logStyle(_ kind: PlayLogLine.Kind) -> PlayStyle {
        switch kind {
        case .info: .plain
        case .chat: PlayStyle(.cyan)
        case .ownChat: PlayStyle(.green)
        case .error: PlayStyle(.red, bold: true)
        case .pending: PlayStyle(.yellow, dim: true)
        }
    }

    static func isFailed(_ state: PlayOrderState) -> Bool {
        if case .failed = state { return true }
        return false
    }

    static func orderStyle(_ state: PlayOrderState) -> PlayStyle {
        switch state {
        case .sending, .sent: PlayStyle(.yellow, bold: true)
        case .confirmed: PlayStyle(.green)
        case .failed: PlayStyle(.red, bold: true)
        }
    }

    static func stateText(_ state: PlayOrderState) -> String {
        switch state {
        case .sending: "(sending...)"
        case .sent: "(sent, unconfirmed)"
        case .confirmed: "(confirmed)"
        case .failed: "(refused)"
        }
    }

    /// A ship's order in a few characters, for the ship list ("move 5,3?").
    static func orderText(_ order: PlayPendingOrder) -> String {
        let r = order.request
        var text: String
        switch r.action {
        case "Move": text = r.target.map { "->\($0.x),\($0.y)" } ?? "step " + (r.tags.first { $0.name == "Dir" }?.value ?? "")
        case "Attack": text = "atk " + (r.tags.first { $0.name == "Target-Ship" }?.value ?? "")
        default: text = r.action.lowercased()
        }
        switch order.state {
        case .sending, .sent: text += "?"
        case .failed: text += "!"
        case .confirmed: break
        }
        return text
    }
}
