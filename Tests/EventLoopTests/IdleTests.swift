import Foundation
import Testing
@testable import EventLoop

/// Why a shard schedules its runs of turns with an idle handle: work re-armed for
/// "as soon as possible" must still let the loop poll between two calls.
@Suite struct IdleTests {
    /// Calls `reschedule` from its own callback until an item sent from another thread
    /// arrives (or `limit` calls pass); returns the calls made before it arrived.
    private func callsBeforeAWakeup(limit: Int, _ reschedule: (Loop, @escaping () -> Bool) -> Void) throws -> Int {
        let loop = try Loop()
        var arrived = false
        var calls = 0
        var wakeup: AsyncWakeup<Int>?
        wakeup = try AsyncWakeup(loop: loop) { _ in arrived = true }
        let sender = wakeup!.sender
        reschedule(loop) {
            calls += 1
            if calls == 1 { Thread.detachNewThread { sender.send(1) } }
            if arrived || calls >= limit {
                wakeup!.close()
                return false
            }
            usleep(50)   // leave the sender time to enqueue
            return true
        }
        loop.run()
        return calls
    }

    @Test func anIdleHandleRestartedFromItsCallbackLetsTheLoopPoll() throws {
        let calls = try callsBeforeAWakeup(limit: 20_000) { loop, step in
            let idle = Idle(loop: loop)
            func arm() {
                idle.start { idle in
                    idle.stop()
                    if step() { arm() } else { idle.close() }
                }
            }
            arm()
        }
        #expect(calls < 20_000)
    }

    @Test func idleRunsOncePerIteration() throws {
        let loop = try Loop()
        let idle = Idle(loop: loop)
        var runs = 0
        var iterations = 0
        idle.start { _ in runs += 1 }
        for _ in 0..<5 {
            loop.runNoWait()
            iterations += 1
        }
        idle.close()
        loop.run()
        #expect(runs == iterations)
    }
}
