import Foundation
import HTTP
import Testing
@testable import Terminal

struct PlayModelTests {
    @Test func anUpdateShowsTheSectorTheShipsAndThePlayer() {
        let model = PlayFixtures.joinedModel()
        #expect(model.tick == 3)
        #expect(model.shipIDs == ["P1.1", "P1.2", "P1.3"])
        #expect(model.ships["P1.1"]?.position == PlayPoint(2, 1))
        #expect(model.ships["P1.1"]?.sector == "Sol")
        #expect(model.sectors["Sol"]?.grid == PlayFixtures.sol)
        #expect(model.sectors["Sol"]?.ships.count == 4)
        #expect(model.sectors["Sol"]?.players[2] == "bob")
        #expect(model.me.credits == 100)
        #expect(!model.stale)
    }

    @Test func aLaterUpdateMovesShipsAndKeepsTheGrid() {
        var model = PlayFixtures.joinedModel()
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 6, tick: 4, ships: [["P1.1", 1, 3, 2, 9, 2], ["P1.2", 1, 3, 1, 10, 0],
                                                                                 ["P1.3", 1, 2, 2, 10, 0]], credits: 101)))
        #expect(model.ships["P1.1"]?.position == PlayPoint(3, 2))
        #expect(model.ships["P1.1"]?.hull == 9)
        #expect(model.sectors["Sol"]?.grid == PlayFixtures.sol, "grids are sent once and kept")
        #expect(model.sectors["Sol"]?.ships.contains { $0.id == "P2.1" } == false)
        #expect(model.me.credits == 101)
    }

    @Test func chatLinesAndOrderErrorsGoToTheLogInPlainWords() {
        var model = PlayFixtures.joinedModel()
        model.apply(PlayEvent.decode(PlayFixtures.message(slot: 7, tags: ["Action": "Chat", "Sector": "Sol", "Speaker": "2",
                                                                           "Speaker-Name": "bob"], data: "hello ann")))
        model.apply(PlayEvent.decode(PlayFixtures.message(slot: 8, tags: [
            "Action": "Order-Error", "Order": "Move", "Ship": "P1.1", "Order-Id": "unknown-id",
            "Error": "cell 9,1 is '#': ships cannot enter it"])))
        #expect(model.log.suffix(2).map(\.text) == ["[Sol] bob: hello ann", "refused: Move P1.1: cell 9,1 is '#': ships cannot enter it"])
        #expect(model.log.last?.kind == .error)
        #expect(model.log.suffix(2).first?.kind == .chat)
    }

    @Test func anOrderIsUnconfirmedUntilAnUpdateAfterItsSlotShowsALaterTick() {
        var model = PlayFixtures.joinedModel()
        let request = PlayOrderRequest.move("P1.1", to: PlayPoint(4, 1))
        model.ordered(request, id: "ORDER1")
        #expect(model.order(of: "P1.1")?.state == .sending)
        model.apply(.orderAccepted(id: "ORDER1", slot: 10, milliseconds: 12))
        #expect(model.order(of: "P1.1")?.state == .sent)
        #expect(model.lastRoundTrip == 12)
        // An update from before the order's slot confirms nothing.
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 9, tick: 4, ships: PlayFixtures.annShips)))
        #expect(model.order(of: "P1.1")?.state == .sent)
        // The first update after it may predate the sector's seeing it; the next one does not.
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 11, tick: 5, ships: PlayFixtures.annShips)))
        #expect(model.order(of: "P1.1")?.state == .sent)
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 12, tick: 6, ships: [["P1.1", 1, 3, 1, 10, 0]] + PlayFixtures.annShips.dropFirst())))
        #expect(model.order(of: "P1.1")?.state == .confirmed)
        // Arrived at the target: the order is done.
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 13, tick: 7, ships: [["P1.1", 1, 4, 1, 10, 0], ["P1.2", 1, 3, 2, 10, 0],
                                                                                  ["P1.3", 1, 2, 2, 10, 0]])))
        #expect(model.order(of: "P1.1") == nil)
        #expect(model.orders.isEmpty)
    }

    @Test func anOrderErrorFailsItsOrderEvenBeforeTheDurableAnswer() {
        var model = PlayFixtures.joinedModel()
        model.ordered(.move("P1.1", to: PlayPoint(9, 1)), id: "ORDER2")
        model.apply(PlayEvent.decode(PlayFixtures.message(slot: 11, tags: [
            "Action": "Order-Error", "Order": "Move", "Ship": "P1.1", "Order-Id": "ORDER2",
            "Error": "cell 9,1 is '#': ships cannot enter it"])))
        #expect(model.order(of: "P1.1")?.state == .failed("cell 9,1 is '#': ships cannot enter it"))
        model.apply(.orderAccepted(id: "ORDER2", slot: 10, milliseconds: 5))
        #expect(model.order(of: "P1.1")?.state == .failed("cell 9,1 is '#': ships cannot enter it"), "stays failed")
        #expect(model.log.last?.text == "refused: move P1.1 to 9,1: cell 9,1 is '#': ships cannot enter it")
    }

    @Test func aSentChatLineIsPendingUntilItComesBack() {
        var model = PlayFixtures.joinedModel()
        model.ordered(.say("hi all"), id: "SAY1")
        #expect(model.log.last?.kind == .pending)
        model.apply(.orderAccepted(id: "SAY1", slot: 20, milliseconds: 3))
        model.apply(PlayEvent.decode(PlayFixtures.message(slot: 22, tags: ["Action": "Chat", "Sector": "Sol", "Speaker": "1",
                                                                            "Speaker-Name": "ann"], data: "hi all")))
        #expect(model.log.filter { $0.text.contains("hi all") }.map(\.kind) == [.ownChat])
        #expect(model.orders["SAY1"] == nil)
    }

    /// Under load the sector's next updates can reach the client before the chat line
    /// comes back: the line must still settle when it does (seen in CI).
    @Test func aChatLineSettlesEvenWhenLaterTicksArriveBeforeItsEcho() {
        var model = PlayFixtures.joinedModel()
        model.ordered(.say("hi all"), id: "SAY2")
        model.apply(.orderAccepted(id: "SAY2", slot: 20, milliseconds: 3))
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 21, tick: 5, ships: PlayFixtures.annShips)))
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 22, tick: 6, ships: PlayFixtures.annShips)))
        model.apply(PlayEvent.decode(PlayFixtures.message(slot: 23, tags: ["Action": "Chat", "Sector": "Sol", "Speaker": "1",
                                                                            "Speaker-Name": "ann"], data: "hi all")))
        #expect(model.log.filter { $0.text.contains("hi all") }.map(\.kind) == [.ownChat])
        #expect(model.orders["SAY2"] == nil)
    }

    @Test func aRefusedPushSaysWhyAndFailsTheOrder() {
        var model = PlayFixtures.joinedModel()
        model.ordered(.mine("P1.2"), id: "M1")
        model.apply(.orderRefused(id: "M1", reason: "connection refused"))
        #expect(model.order(of: "P1.2")?.state == .failed("connection refused"))
        #expect(model.log.last?.text == "could not send P1.2 mine: connection refused")
    }

    @Test func losingTheConnectionMarksTheStateStaleUntilFreshNews() {
        var model = PlayFixtures.joinedModel()
        model.apply(.connection(.reconnecting("connection refused")))
        #expect(model.stale)
        #expect(model.log.last?.text == "lost the server (connection refused); reconnecting")
        model.apply(.connection(.reconnecting("connection refused")))
        #expect(model.log.filter { $0.text.hasPrefix("lost the server") }.count == 1, "one line per loss, not per retry")
        model.apply(.connection(.connected))
        #expect(model.stale, "connected, but nothing new yet")
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 30, tick: 9, ships: PlayFixtures.annShips)))
        #expect(!model.stale)
    }

    @Test func shipsThatLeaveAreFollowedToTheirNewSector() {
        var model = PlayFixtures.joinedModel()
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 6, tick: 4, ships: Array(PlayFixtures.annShips.dropFirst()),
                                                         mine: [["type": "left", "ship": "P1.1", "to": "Vega", "process": "VEGAPID"]])))
        #expect(model.ships["P1.1"]?.sector == "Vega")
        #expect(model.ships["P1.1"]?.position == nil)
        #expect(model.sectors["Vega"]?.process == "VEGAPID")
        model.apply(PlayEvent.decode(PlayFixtures.update(slot: 7, tick: 4, ships: PlayFixtures.annShips, mine: [
            ["type": "destroyed", "ship": "P1.3", "by": "combat"]])))
        #expect(model.ships["P1.3"] == nil)
        #expect(model.log.last?.text == "P1.3 was destroyed (combat)")
    }

    @Test func aViewRestoresTheRosterAndTheGrids() {
        var model = PlayModel(world: "W", process: "PLAYER", number: 1, name: "ann", homeSector: "Sol")
        model.apply(.connection(.connected))
        let data = PlayFixtures.json([
            "tick": 40, "me": ["no": 1, "name": "ann", "credits": 130, "reserved": 0, "ore": 6, "planets": 1, "ships": 2, "score": 236],
            "ships": [["id": "P1.1", "sector": "Sol", "x": 5, "y": 5, "hull": 8, "cargo": 6], ["id": "P1.2", "sector": "Vega"]],
            "planets": ["Sol:3,3"], "sectors": ["Sol": "SOLPID", "Vega": "VEGAPID"], "grids": ["Sol": PlayFixtures.sol],
        ])
        model.apply(PlayEvent.decode(PlayFixtures.message(slot: 3, tags: ["Action": "View"], data: data)))
        #expect(model.tick == 40)
        #expect(model.me.score == 236)
        #expect(model.shipIDs == ["P1.1", "P1.2"])
        #expect(model.ships["P1.1"]?.position == PlayPoint(5, 5))
        #expect(model.ships["P1.2"]?.position == nil)
        #expect(model.sectors["Sol"]?.grid?.count == 10)
        #expect(!model.stale)
    }

    @Test func garbageFromTheServerIsIgnoredWithoutACrash() {
        var model = PlayFixtures.joinedModel()
        let before = model
        let garbage: [ServerSentEvent] = [
            ServerSentEvent(id: "1.0", event: "message", data: "not json"),
            ServerSentEvent(id: "1.1", event: "message", data: "[1,2,3]"),
            ServerSentEvent(id: "1.2", event: "message", data: "{\"Tags\": 5}"),
            ServerSentEvent(id: "1.3", event: "ping", data: "{}"),
            PlayFixtures.message(slot: 2, tags: ["Action": "Update"], data: "{\"tick\": \"soon\"}"),
            PlayFixtures.message(slot: 2, tags: ["Action": "Update"], data: "{\"tick\": 1e300, \"sector\": \"Sol\"}"),
            PlayFixtures.message(slot: 2, tags: ["Action": "Update"], data: "[]"),
            PlayFixtures.message(slot: 2, tags: ["Action": "View"], data: "\"x\""),
            PlayFixtures.message(slot: 2, tags: ["Action": "Joined"]),
            PlayFixtures.message(slot: 2, tags: ["Action": "Something-New"], data: "{}"),
        ]
        for event in garbage { model.apply(PlayEvent.decode(event)) }
        #expect(model.ignoredEvents == garbage.count)
        model.ignoredEvents = 0
        #expect(model == before)

        // Well-formed envelopes with odd parts: bad ships are skipped one by one.
        let odd = PlayFixtures.json(["tick": 9, "sector": "Sol", "ships": [["P1.1", 1, 4, 4], ["bad"], "x", ["P9.1", "two", 1, 1],
                                                                              ["P1.2", 1, 5, 5, 10, 0, "extra"]],
                                     "planets": [[1], "p", [3, 3, 1, 2]], "players": [], "events": [["type": 5], 7], "mine": "none",
                                     "me": "someone"])
        model.apply(PlayEvent.decode(PlayFixtures.message(slot: 40, tags: ["Action": "Update"], data: odd)))
        #expect(model.tick == 9)
        #expect(model.ships["P1.1"]?.position == PlayPoint(4, 4))
        #expect(model.ships["P1.1"]?.hull == 0)
        #expect(model.ships["P1.2"]?.position == PlayPoint(5, 5))
        #expect(model.sectors["Sol"]?.planets == [PlayPlanet(x: 3, y: 3, owner: 1, progress: 2)])
        #expect(model.me.name == "ann", "an unreadable `me` keeps the last one")
    }

    @Test func aFailedSlotOfThePlayerProcessIsShown() {
        var model = PlayFixtures.joinedModel()
        model.apply(PlayEvent.decode(ServerSentEvent(id: "9.0", event: "error", data: "{\"text\": \"player.lua:3: boom\"}")))
        #expect(model.log.last == PlayLogLine(kind: .error, text: "the server failed to handle a message: player.lua:3: boom"))
    }
}
