import Foundation
import Testing
@testable import EventLoop

/// Misuse is a bug and crashes, as libuv asserts; these run in child processes.
@Suite struct ConfinementTests {
    @Test func closingAHandleTwiceCrashes() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let loop = try! Loop()
            let timer = EventLoop.Timer(loop: loop)
            timer.close()
            timer.close()
        }
        #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("Timer closed twice"))
    }

    @Test func usingALoopFromAnotherThreadOnceItRanCrashes() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            nonisolated(unsafe) let loop = try! Loop()
            loop.runNoWait()
            let thread = Thread {
                _ = EventLoop.Timer(loop: loop)
            }
            thread.start()
            sleep(10)
        }
        #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("Loop used off its thread"))
    }
}
