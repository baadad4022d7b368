import Bots
import Foundation
import LuaVM
import Testing

/// Bad bots are stopped or reported with a clear message, and never stop the others.
@Suite(.serialized) struct BadBotTests {
    static let small = LuaLimits(memoryBytes: 16 << 20, instructionsPerCall: 5_000_000)

    @Test func eachKindOfBadBotIsContainedAndAGoodBotKeepsPlaying() async throws {
        let h = try await BotHarness()
        let miner = try await h.bot(BotHarness.sample("miner.lua"), name: "miner")
        let syntax = try await h.bot("function on_update(view)\n  return {{ship = 'x', action = 'Mine'}\nend\n", name: "syntax",
                                     wait: false)
        let failing = try await h.bot("function on_update(view) local t = nil; return t.orders end", name: "failing")
        let looping = try await h.bot("function on_update(view) while true do end end", name: "looping", limits: Self.small)
        let bomb = try await h.bot("hoard = {}\nfunction on_update(view)\n  for i = 1, 1e9 do hoard[i] = string.rep('x', 64) .. i end\nend",
                                   name: "bomb", limits: Self.small)
        _ = try await h.bot("""
            function on_update(view)
              local s = view.ships[1]
              if not s then return {} end
              return { {ship = s.id, action = "Fly"}, {action = "Move"}, {ship = s.id, action = "Move", to = {1.5, 2}},
                       {ship = "P99.1", action = "Mine"}, "nonsense" }
            end
            function on_error(err) print("refused: " .. err.error) end
            """, name: "invalid")
        let started = ContinuousClock.now
        try await h.tick(8)
        let elapsed = ContinuousClock.now - started
        let log = h.lines.text

        #expect(syntax.progress.stopped?.contains("syntax.lua does not load: syntax.lua:3:") == true, "\(log)")
        #expect(log.contains("[failing] on_update failed: failing.lua:1: attempt to index a nil value (local 't')"), "\(log)")
        #expect(failing.progress.stopped == nil && failing.progress.updates >= 7)
        #expect(looping.progress.stopped?.contains("ran past its budget of 5000000 instructions") == true, "\(log)")
        #expect(bomb.progress.stopped?.contains("hit the memory cap of 16 MiB") == true, "\(log)")
        #expect(log.contains("[invalid] on_update: order 2 {action=Move}: an order needs ship"), "\(log)")
        #expect(log.contains("[invalid] on_update: order 3 {ship=P3.1, action=Move}: to must be {x, y} with whole numbers")
                || log.contains("order 3 {ship=P"), "\(log)")
        #expect(log.contains("an order is a table like"), "\(log)")
        #expect(log.contains("[invalid] refused: unknown action 'Fly'"), "\(log)")
        #expect(log.contains("[invalid] refused: ship P99.1 is not yours"), "\(log)")

        // The good bot played every tick, and moved toward (or onto) the ore.
        #expect(miner.progress.stopped == nil)
        #expect(miner.progress.updates >= 8, "\(log)")
        #expect(miner.progress.ordersSent >= 3, "\(miner.progress) \(log)")
        #expect(elapsed < .seconds(40), "8 ticks took \(elapsed)")
    }

    @Test func aBadScriptIsReportedBeforeItRuns() throws {
        #expect(throws: BotError.self) { try BotRuntime(script: "x = = 1", name: "bad.lua") }
        do { _ = try BotRuntime(script: "error('top level')", name: "top.lua") } catch {
            #expect(error.kind == .load)
            #expect(error.message.contains("top.lua:1: top level"), "\(error.message)")
        }
        do { _ = try BotRuntime(script: "while true do end", name: "spin.lua", limits: Self.small) } catch {
            #expect(error.kind == .load)
        }
    }

    @Test func aRuntimeKeepsWorkingAfterABudgetOrMemoryFailure() throws {
        let runtime = try BotRuntime(script: """
            mode = "fine"
            function on_update(view)
              if view.tick == 1 then while true do end end
              if view.tick == 2 then local t = {} for i = 1, 1e9 do t[i] = string.rep("y", 100) .. i end end
              return { {ship = "P1.1", action = "Move", to = {view.tick, 1}} }
            end
            """, name: "flaky.lua", limits: Self.small)
        func update(_ tick: Int) throws(BotError) -> BotStep {
            try runtime.update(#"{"tick":\#(tick),"sector":"Sol","process":"S","ships":[["P1.1",1,0,0,10,0]],"planets":[],"players":[],"events":[],"mine":[],"me":{"no":1}}"#)
        }
        #expect(throws: BotError(kind: .budget, message: "flaky.lua: update ran past its budget of 5000000 instructions (an endless loop?)")) { try update(1) }
        #expect(throws: BotError(kind: .memory, message: "flaky.lua: update hit the memory cap of 16 MiB (a memory bomb?)")) { try update(2) }
        let step = try update(3)
        #expect(step.orders == [BotOrder(tags: [.init("Action", "Move"), .init("Ship", "P1.1"), .init("X", "3"), .init("Y", "1")])])
    }
}
