import Foundation
import Testing
@testable import EventLoop

/// Misuse is a bug and crashes, as libuv asserts; these run in child processes.
@Suite struct ConfinementTests {
    @Test func closingAHandleTwiceCrashes() async {
        await #expect(processExitsWith: .failure) {
            let loop = try! Loop()
            let timer = EventLoop.Timer(loop: loop)
            timer.close()
            timer.close()
        }
    }

    @Test func usingALoopFromAnotherThreadOnceItRanCrashes() async {
        await #expect(processExitsWith: .failure) {
            nonisolated(unsafe) let loop = try! Loop()
            loop.runNoWait()
            let thread = Thread {
                _ = EventLoop.Timer(loop: loop)
            }
            thread.start()
            sleep(10)
        }
    }
}
