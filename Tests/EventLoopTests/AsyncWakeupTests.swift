import Foundation
import Testing
@testable import EventLoop

@Suite struct AsyncWakeupTests {
    @Test func sendsFromFourThreadsArriveExactlyOnceInOrderOnTheLoopThread() throws {
        let threads = 4
        let perThread = 10_000
        let loop = try Loop()
        let runner = currentThread()
        var next = Array(repeating: 0, count: threads)
        var delivered = 0
        var outOfOrder = 0
        var offLoopThread = 0
        var closes = 0
        var wakeup: AsyncWakeup<(thread: Int, sequence: Int)>?
        wakeup = try AsyncWakeup(loop: loop) { item in
            if !sameThread(currentThread(), runner) { offLoopThread += 1 }
            if next[item.thread] != item.sequence { outOfOrder += 1 }
            next[item.thread] = item.sequence + 1
            delivered += 1
            if delivered == threads * perThread { wakeup!.close { closes += 1 } }
        }
        let sender = wakeup!.sender
        let refused = Locked(0)
        for thread in 0..<threads {
            Thread.detachNewThread {
                for sequence in 0..<perThread where !sender.send((thread, sequence)) {
                    refused.withLock { $0 += 1 }
                }
            }
        }
        loop.run()

        #expect(delivered == threads * perThread)
        #expect(next == Array(repeating: perThread, count: threads))
        #expect(outOfOrder == 0)
        #expect(offLoopThread == 0)
        #expect(refused.withLock { $0 } == 0)
        #expect(closes == 1)
        try loop.close()
    }

    @Test func itemsQueuedBeforeCloseAreDeliveredBeforeTheCloseCallback() throws {
        let loop = try Loop()
        var events: [String] = []
        let wakeup = try AsyncWakeup<String>(loop: loop) { events.append($0) }
        let sender = wakeup.sender
        #expect(sender.send("a"))
        #expect(wakeup.send("b"))
        wakeup.close { events.append("closed") }
        #expect(!sender.send("late"))
        loop.run()
        #expect(events == ["a", "b", "closed"])
        try loop.close()
    }

    @Test func closuresSentFromAnotherThreadRunOnTheLoop() throws {
        let loop = try Loop()
        let runner = currentThread()
        var ranOnLoop = false
        let jobs = try AsyncWakeup<@Sendable () -> Void>(loop: loop) { job in job() }
        let stopper = try AsyncWakeup<Bool>(loop: loop) { onLoop in
            ranOnLoop = onLoop
            loop.closeAll()
        }
        let stop = stopper.sender
        let submit = jobs.sender
        Thread.detachNewThread {
            submit.send { stop.send(sameThread(currentThread(), runner)) }
        }
        loop.run()
        #expect(ranOnLoop)
        #expect(jobs.isClosing)
        try loop.close()
    }
}
