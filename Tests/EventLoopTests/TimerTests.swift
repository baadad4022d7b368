import Testing
@testable import EventLoop

@Suite struct TimerTests {
    @Test func timersFireInDueOrderAndTiesInStartOrder() throws {
        let loop = try Loop()
        var fired: [Int] = []
        var closes = 0
        let delays = [30, 10, 20, 10, 0]
        for (index, delay) in delays.enumerated() {
            Timer(loop: loop).start(after: .milliseconds(delay)) { timer in
                fired.append(index)
                timer.close { closes += 1 }
            }
        }
        loop.run()
        #expect(fired == [4, 1, 3, 2, 0])
        #expect(closes == delays.count)
        try loop.close()
    }

    @Test func aRepeatingTimerFiresExactlyNTimesThenStops() throws {
        let loop = try Loop()
        let ticker = Timer(loop: loop)
        var ticks = 0
        ticker.start(after: .milliseconds(1), repeating: .milliseconds(1)) { timer in
            ticks += 1
            if ticks == 5 {
                timer.stop()
                #expect(!timer.isActive)
            }
        }
        // Watch a while longer to see that no sixth tick comes.
        let watchdog = Timer(loop: loop)
        var ticksAtWatchdog = -1
        watchdog.start(after: .milliseconds(30)) { watchdog in
            ticksAtWatchdog = ticks
            watchdog.close()
            ticker.close()
        }
        loop.run()
        #expect(ticks == 5)
        #expect(ticksAtWatchdog == 5)
        try loop.close()
    }

    @Test func aStoppedTimerNeverFires() throws {
        let loop = try Loop()
        let timer = Timer(loop: loop)
        var fired = 0
        timer.start(after: .milliseconds(1)) { _ in fired += 1 }
        #expect(timer.isActive)
        timer.stop()
        #expect(!timer.isActive)
        // A stopped timer is not active, so run() returns without waiting.
        loop.run()
        #expect(fired == 0)
        timer.close()
        loop.run()
        try loop.close()
    }

    @Test func restartingReplacesTheScheduleAndTheCallback() throws {
        let loop = try Loop()
        let timer = Timer(loop: loop)
        var calls: [String] = []
        timer.start(after: .milliseconds(5)) { _ in calls.append("first") }
        timer.start(after: .milliseconds(1)) { timer in
            calls.append("second")
            timer.close()
        }
        loop.run()
        #expect(calls == ["second"])
        try loop.close()
    }

    @Test func closingInsideTheCallbackEndsARepeatingTimerWithOneCloseCallback() throws {
        let loop = try Loop()
        var ticks = 0
        var closes = 0
        Timer(loop: loop).start(after: .zero, repeating: .milliseconds(1)) { timer in
            ticks += 1
            if ticks == 3 { timer.close { closes += 1 } }
        }
        loop.run()
        #expect(ticks == 3)
        #expect(closes == 1)
        try loop.close()
    }

    @Test func aTimerAndItsLoopAreFreedOnceClosedEvenIfTheCallbackCapturedTheTimer() throws {
        weak var weakTimer: Timer?
        weak var weakLoop: Loop?
        do {
            let loop = try Loop()
            weakLoop = loop
            let timer = Timer(loop: loop)
            weakTimer = timer
            timer.start(after: .zero) { _ in timer.close() }
        }
        // No one references them, but libuv does until the close callback.
        #expect(weakTimer != nil)
        weakLoop?.run()
        #expect(weakTimer == nil)
        #expect(weakLoop == nil)
    }

    @Test func subMillisecondDurationsRoundUp() {
        #expect(Duration.zero.roundedUpMilliseconds == 0)
        #expect(Duration.microseconds(1).roundedUpMilliseconds == 1)
        #expect(Duration.milliseconds(7).roundedUpMilliseconds == 7)
        #expect(Duration.seconds(2).roundedUpMilliseconds == 2000)
        #expect((Duration.seconds(1) + .nanoseconds(1)).roundedUpMilliseconds == 1001)
    }
}
