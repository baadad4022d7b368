import Foundation
import Testing
@testable import Terminal

struct PlayRendererTests {
    func screen(_ model: PlayModel, width: Int = 80, height: Int = 24, configure: (inout PlayUI) -> Void = { _ in }) -> (PlayBuffer, PlayUI) {
        var ui = PlayUI()
        PlayControls.reconcile(&ui, model)
        configure(&ui)
        return (PlayRenderer().render(model, ui, width: width, height: height), ui)
    }

    /// The two columns of map cell (x, y) in an unscrolled map.
    func cell(_ b: PlayBuffer, _ x: Int, _ y: Int) -> String {
        let sx = PlayLayout.labelWidth + x * PlayLayout.cellWidth, sy = 2 + y
        return String([b[sx, sy].character, b[sx + 1, sy].character])
    }

    @Test func at80x24ShipsPanelLogStatusAndCommandLineLandWhereExpected() {
        var model = PlayFixtures.joinedModel()
        model.apply(.chat(sector: "Sol", speaker: 2, name: "bob", text: "hello"))
        let (b, ui) = screen(model)
        #expect(ui.selected == "P1.1")
        #expect(ui.cursor == PlayPoint(2, 1), "the cursor starts on the first ship")
        #expect(b.line(0).hasPrefix(" STARLANE  ann (#1)  sector Sol @ tick 3"))
        #expect(b.line(1).hasPrefix("   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5"))
        // Ships: owner's initial and ship number; bob's ship is another colour.
        #expect(cell(b, 2, 1) == "A1")
        #expect(cell(b, 3, 1) == "A2")
        #expect(cell(b, 2, 2) == "A3")
        #expect(cell(b, 8, 4) == "B1")
        #expect(b[PlayLayout.labelWidth + 2 * 2, 3].style.colour == .yellow, "the selected ship")
        #expect(b[PlayLayout.labelWidth + 3 * 2, 3].style.colour == .green, "the player's other ships")
        #expect(b[PlayLayout.labelWidth + 8 * 2, 6].style.colour == PlayRenderer.colour(of: 2), "another player's ship")
        #expect(![.green, .yellow].contains(PlayRenderer.colour(of: 2)))
        #expect(b[PlayLayout.labelWidth + 2 * 2, 3].style.reverse, "the cursor")
        // Terrain: rock, star, ore, planet, wormhole.
        #expect(cell(b, 9, 1) == "# ")
        #expect(cell(b, 6, 5) == "* ")
        #expect(cell(b, 12, 2) == "$ ")
        #expect(cell(b, 3, 3) == "o ")
        #expect(cell(b, 14, 9) == "O ")
        #expect(b.line(11).hasPrefix(" 9 . . ."))
        // The panel, right of the map.
        let x = PlayLayout(width: 80, height: 24, sectorWidth: 16, sectorHeight: 10).panelX
        #expect(x == 36)
        #expect(b.line(1).dropFirst(x).hasPrefix("ann (#1)  score 100"))
        #expect(b.line(2).dropFirst(x).hasPrefix("credits 100  ore 0"))
        #expect(b.line(5).dropFirst(x).hasPrefix("> P1.1 Sol 2,1 h10 c0"))
        #expect(b.line(6).dropFirst(x).hasPrefix("  P1.2 Sol 3,1 h10 c0"))
        #expect(b.text.contains("selected P1.1 in Sol at 2,1"))
        #expect(b.text.contains("hull 10/10  cargo 0/20"))
        #expect(b.text.contains("cursor 2,1: P1.1 (yours h10), spawn point"))
        // The log, the status line and the command line.
        #expect(b.line(12).contains(" events "))
        #expect(b.line(13) == "connected to the server".padding(toLength: 80, withPad: " ", startingAt: 0))
        #expect(b.line(14).hasPrefix("[Sol] bob: hello"))
        #expect(b.line(22).hasPrefix(" tick 3 | rtt - | connected"))
        #expect(b.line(22).hasSuffix(" Sol 2,1 | ? help "))
        #expect(b[1, 22].style.reverse)
        #expect(b.line(23).hasPrefix("hjkl/arrows cursor"))
    }

    @Test func aBiggerTerminalGetsMoreLogAndTheSameMap() {
        var model = PlayFixtures.joinedModel()
        for i in 1...30 { model.apply(.chat(sector: "Sol", speaker: 2, name: "bob", text: "line \(i)")) }
        let (b, _) = screen(model, width: 120, height: 40)
        #expect(b.width == 120 && b.height == 40)
        #expect(cell(b, 2, 1) == "A1")
        #expect(b.line(38).hasPrefix(" tick 3 | rtt - | connected"))
        #expect(b.line(37).hasPrefix("[Sol] bob: line 30"))
        let layout = PlayLayout(width: 120, height: 40, sectorWidth: 16, sectorHeight: 10)
        #expect(layout.logRows == 25)
        #expect(b.line(layout.logTop).hasPrefix("[Sol] bob: line 6"))
        #expect(b.line(1).dropFirst(layout.panelX).hasPrefix("ann (#1)"))
    }

    @Test func unconfirmedOrdersAreDrawnDistinctlyUntilConfirmed() {
        var model = PlayFixtures.joinedModel()
        model.ordered(.move("P1.1", to: PlayPoint(5, 1)), id: "O1")
        model.apply(.orderAccepted(id: "O1", slot: 10, milliseconds: 17))
        let (b, _) = screen(model)
        #expect(b.text.contains("order: move P1.1 to 5,1 (sent, unconfirmed)"))
        #expect(b.line(5).contains("> P1.1 Sol 2,1 h10 c0 ->5,1?"))
        #expect(cell(b, 5, 1) == ". " || cell(b, 5, 1) == ".+")
        #expect(b[PlayLayout.labelWidth + 5 * 2 + 1, 3].character == "+")
        #expect(b[PlayLayout.labelWidth + 5 * 2 + 1, 3].style.colour == .yellow)
        #expect(b.line(22).hasPrefix(" tick 3 | rtt 17 ms | connected | 1 unconfirmed"))
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 11, tick: 4, ships: PlayFixtures.annShips)))
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 12, tick: 5, ships: PlayFixtures.annShips)))
        let (after, _) = screen(model)
        #expect(after.text.contains("order: move P1.1 to 5,1 (confirmed)"))
        #expect(after[PlayLayout.labelWidth + 5 * 2 + 1, 3].style.colour == .green)
    }

    @Test func aStaleScreenSaysSoAndDimsTheMap() {
        var model = PlayFixtures.joinedModel()
        model.apply(.connection(.reconnecting("connection refused")))
        let (b, _) = screen(model)
        #expect(b.line(0).hasSuffix(" STALE: not connected "))
        #expect(b[PlayLayout.labelWidth + 2 * 2, 3].style.dim)
        #expect(b.line(22).contains("reconnecting (connection refused)"))
    }

    @Test func theHelpOverlayAndTheCommandLine() {
        let model = PlayFixtures.joinedModel()
        let (help, _) = screen(model) { $0.help = true }
        #expect(help.text.contains("Starlane: keys"))
        #expect(help.text.contains("m    move the selected ship to the cursor"))
        let (command, _) = screen(model) { $0.mode = .command("move 3 4") }
        #expect(command.line(23).hasPrefix(":move 3 4_"))
        let (chat, _) = screen(model) { $0.mode = .chat("hi") }
        #expect(chat.line(23).hasPrefix("say> hi_"))
    }

    @Test func aTinyTerminalIsToldItIsTooSmall() {
        let (b, _) = screen(PlayFixtures.joinedModel(), width: 30, height: 8)
        #expect(b.line(0).hasPrefix("terminal too small: 30x8"))
    }

    @Test func onlyChangedCellsAreInTheDiff() {
        let model = PlayFixtures.joinedModel()
        let (first, _) = screen(model)
        #expect(first.changes(since: nil).count == 80 * 24)
        let (moved, _) = screen(model) { $0.cursor = PlayPoint(3, 3) }
        let changes = moved.changes(since: first)
        #expect(!changes.isEmpty && changes.count < 120, "\(changes.count)")
        #expect(first.changes(since: first).isEmpty)
    }

    @Test func bigSectorsScrollToKeepTheCursorInView() {
        var model = PlayFixtures.joinedModel()
        let wide = (0..<40).map { _ in String(repeating: ".", count: 60) }
        model.sectors["Sol"]?.grid = wide
        let (b, _) = screen(model) { $0.cursor = PlayPoint(50, 30) }
        let layout = PlayLayout(width: 80, height: 24, sectorWidth: 60, sectorHeight: 40)
        let ox = PlayLayout.offset(cursor: 50, visible: layout.mapColumns, size: 60)
        let oy = PlayLayout.offset(cursor: 30, visible: layout.mapRows, size: 40)
        #expect(b[PlayLayout.labelWidth + (50 - ox) * 2, layout.mapTop + 30 - oy].style.reverse)
    }
}
