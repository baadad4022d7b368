import Testing
@testable import EventLoop

@Suite struct LoopTests {
    @Test func aLoopWithNothingToDoReturnsAtOnceAndCloses() throws {
        let loop = try Loop()
        #expect(loop.run() == false)
        #expect(loop.runNoWait() == false)
        try loop.close()
        #expect(loop.isClosed)
    }

    @Test func closingALoopWithAnOpenHandleFailsUntilTheHandleHasClosed() throws {
        let loop = try Loop()
        let timer = Timer(loop: loop)
        let busy = #expect(throws: UVError.self) { try loop.close() }
        #expect(busy?.code == .busy)
        #expect(busy?.operation == "uv_loop_close")

        var closes = 0
        timer.close { closes += 1 }
        // The close completes on the loop, not inside close().
        #expect(closes == 0)
        loop.run()
        #expect(closes == 1)
        try loop.close()
    }

    @Test func stopMakesRunReturnWithHandlesStillActive() throws {
        let loop = try Loop()
        let ticker = Timer(loop: loop)
        var ticks = 0
        ticker.start(after: .milliseconds(1), repeating: .milliseconds(1)) { _ in
            ticks += 1
            if ticks == 3 { loop.stop() }
        }
        #expect(loop.run() == true)
        #expect(ticks == 3)
        ticker.close()
        #expect(loop.run() == false)
        #expect(ticks == 3)
        try loop.close()
    }

    @Test func nowAdvancesWithTheClock() throws {
        let loop = try Loop()
        let start = loop.now
        let timer = Timer(loop: loop)
        var elapsed: UInt64 = 0
        timer.start(after: .milliseconds(20)) { timer in
            elapsed = loop.now - start
            timer.close()
        }
        loop.run()
        #expect(elapsed >= 20)
        try loop.close()
    }

    @Test func closeAllClosesEveryHandleOnceAndTheLoopThenCloses() throws {
        let loop = try Loop()
        let timer = Timer(loop: loop)
        timer.start(after: .seconds(60)) { _ in Issue.record("timer fired") }
        let wakeup = try AsyncWakeup<Int>(loop: loop) { _ in }
        let watcher = try SignalWatcher(loop: loop)
        try watcher.start(.hangup) { _ in }
        let server = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { _ in }
        let idle = Timer(loop: loop)
        var idleCloses = 0
        idle.close { idleCloses += 1 }

        loop.closeAll()
        #expect(timer.isClosing && wakeup.isClosing && watcher.isClosing && server.isClosing)
        #expect(!wakeup.sender.send(1), "a wakeup closed by closeAll refuses items")
        #expect(loop.run() == false)
        #expect(idleCloses == 1)
        try loop.close()
    }

    @Test func callbacksRunOnTheThreadThatRunsTheLoop() throws {
        let loop = try Loop()
        let runner = currentThread()
        var onRunner = false
        let timer = Timer(loop: loop)
        timer.start(after: .zero) { timer in
            onRunner = sameThread(currentThread(), runner) && loop.isOnLoopThread
            timer.close()
        }
        loop.run()
        #expect(onRunner)
        try loop.close()
    }
}
