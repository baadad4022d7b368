import Client
import Testing
@testable import Terminal

struct PlayControlsTests {
    func start() -> (PlayUI, PlayModel) {
        let model = PlayFixtures.joinedModel()
        var ui = PlayUI()
        PlayControls.reconcile(&ui, model)
        return (ui, model)
    }

    @Test func cursorKeysMoveTheCursorWithinTheSector() {
        var (ui, model) = start()
        for key in [PlayKey.right, .char("l"), .down, .char("j"), .char("j")] { _ = PlayControls.handle(key, &ui, model) }
        #expect(ui.cursor == PlayPoint(4, 4))
        for _ in 0..<20 { _ = PlayControls.handle(.char("h"), &ui, model) }
        for _ in 0..<20 { _ = PlayControls.handle(.up, &ui, model) }
        #expect(ui.cursor == PlayPoint(0, 0))
        model.apply(.connection(.connected))
    }

    @Test func mMovesTheSelectedShipToTheCursor() {
        var (ui, model) = start()
        _ = PlayControls.handle(.char("l"), &ui, model)
        _ = PlayControls.handle(.char("l"), &ui, model)
        let actions = PlayControls.handle(.char("m"), &ui, model)
        #expect(actions == [.order(.move("P1.1", to: PlayPoint(4, 1)))])
        guard case let .order(request) = actions.first else { return }
        #expect(request.allTags == [ClientTag("Action", "Move"), ClientTag("Ship", "P1.1"), ClientTag("X", "4"), ClientTag("Y", "1")])
    }

    @Test func tabCyclesShipsAndShiftStepsTheSelectedOne() {
        var (ui, model) = start()
        #expect(PlayControls.handle(.tab, &ui, model) == [])
        #expect(ui.selected == "P1.2" && ui.cursor == PlayPoint(3, 1))
        _ = PlayControls.handle(.tab, &ui, model)
        _ = PlayControls.handle(.tab, &ui, model)
        #expect(ui.selected == "P1.1")
        _ = PlayControls.handle(.backTab, &ui, model)
        #expect(ui.selected == "P1.3")
        #expect(PlayControls.handle(.char("L"), &ui, model) == [.order(.step("P1.3", "E"))])
        #expect(PlayControls.handle(.shiftUp, &ui, model) == [.order(.step("P1.3", "N"))])
    }

    @Test func actionKeysMakeTheirOrders() {
        var (ui, model) = start()
        #expect(PlayControls.handle(.char("g"), &ui, model) == [.order(.mine("P1.1"))])
        #expect(PlayControls.handle(.char("s"), &ui, model) == [.order(.sell("P1.1"))])
        #expect(PlayControls.handle(.char("x"), &ui, model) == [.order(.stop("P1.1"))])
        #expect(PlayControls.handle(.char("c"), &ui, model) == [.order(.capture("P1.1", planet: nil))])
        ui.cursor = PlayPoint(3, 3)
        #expect(PlayControls.handle(.char("c"), &ui, model) == [.order(.capture("P1.1", planet: PlayPoint(3, 3)))])
        #expect(PlayControls.handle(.char("b"), &ui, model) == [.order(.build(sector: "Sol", planet: PlayPoint(3, 3)))])
        ui.cursor = PlayPoint(8, 4)
        #expect(PlayControls.handle(.char("a"), &ui, model) == [.order(.attack("P1.1", "P2.1"))])
        ui.cursor = PlayPoint(3, 1)
        #expect(PlayControls.handle(.char("a"), &ui, model) == [.notice("put the cursor on another player's ship to attack it")])
        #expect(PlayControls.handle(.char("b"), &ui, model) == [.notice("put the cursor on a planet you own to build a ship there")])
        #expect(PlayControls.handle(.char("q"), &ui, model) == [.quit])
    }

    @Test func chatAndCommandLinesAreTypedThenSent() {
        var (ui, model) = start()
        _ = PlayControls.handle(.char("t"), &ui, model)
        for c in "hi bob" { _ = PlayControls.handle(.char(c), &ui, model) }
        #expect(ui.mode == .chat("hi bob"))
        #expect(PlayControls.handle(.enter, &ui, model) == [.order(.say("hi bob"))])
        #expect(ui.mode == .normal)
        _ = PlayControls.handle(.char(":"), &ui, model)
        for c in "move 3 4x" { _ = PlayControls.handle(.char(c), &ui, model) }
        _ = PlayControls.handle(.backspace, &ui, model)
        #expect(PlayControls.handle(.enter, &ui, model) == [.order(.move("P1.1", to: PlayPoint(3, 4)))])
        _ = PlayControls.handle(.char(":"), &ui, model)
        for c in "say hello there" { _ = PlayControls.handle(.char(c), &ui, model) }
        #expect(PlayControls.handle(.enter, &ui, model) == [.order(.say("hello there"))])
        _ = PlayControls.handle(.char(":"), &ui, model)
        _ = PlayControls.handle(.char("z"), &ui, model)
        _ = PlayControls.handle(.escape, &ui, model)
        #expect(ui.mode == .normal)
        _ = PlayControls.handle(.enter, &ui, model)
        #expect(PlayControls.handle(.enter, &ui, model) == [], "an empty chat line sends nothing")
    }

    @Test func typedCommandsParse() {
        #expect(PlayCommandLine.parse("move 3 4") == .moveSelected(PlayPoint(3, 4)))
        #expect(PlayCommandLine.parse("move P1.2 3 4") == .order(.move("P1.2", to: PlayPoint(3, 4))))
        #expect(PlayCommandLine.parse("move 3") == .invalid("move takes X Y (whole numbers), or SHIP X Y: :move 3 4"))
        #expect(PlayCommandLine.parse("step w") == .step("W"))
        #expect(PlayCommandLine.parse("attack P2.1") == .attack("P2.1"))
        #expect(PlayCommandLine.parse("view") == .order(.view()))
        #expect(PlayCommandLine.parse("quit") == .quit)
        #expect(PlayCommandLine.parse("  say   hi  there ") == .order(.say("hi  there")))
        guard case .invalid = PlayCommandLine.parse("fly 1 2") else { Issue.record("fly is no command"); return }
    }

    @Test func helpOpensWithQuestionMarkAndAnyKeyClosesIt() {
        var (ui, model) = start()
        _ = PlayControls.handle(.char("?"), &ui, model)
        #expect(ui.help)
        #expect(PlayControls.handle(.char("m"), &ui, model) == [], "a key closes help and does nothing else")
        #expect(!ui.help)
    }

    @Test func withoutShipsOrdersSayWhy() {
        let model = PlayModel(world: "W", number: 1, name: "ann")
        var ui = PlayUI()
        PlayControls.reconcile(&ui, model)
        #expect(PlayControls.handle(.char("m"), &ui, model) == [.notice("no ship selected (Tab selects one)")])
        #expect(PlayControls.handle(.tab, &ui, model) == [.notice("you have no ships")])
    }
}
