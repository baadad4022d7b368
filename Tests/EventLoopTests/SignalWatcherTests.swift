import Testing
@testable import EventLoop

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Each test raises its own signal so the tests can run side by side.
@Suite struct SignalWatcherTests {
    @Test func aRaisedSignalReachesItsWatcherOnTheLoop() throws {
        let loop = try Loop()
        let watcher = try SignalWatcher(loop: loop)
        var received: [SignalWatcher.Signal] = []
        var closes = 0
        let deadline = Timer(loop: loop)
        deadline.start(after: .seconds(2)) { _ in
            Issue.record("no signal within 2 s")
            loop.closeAll()
        }
        try watcher.start(.user1) { signal in
            received.append(signal)
            watcher.close { closes += 1 }
            deadline.close()
        }
        // A process-directed signal: test threads (dispatch workers) block signals,
        // so raise() would leave it pending on this thread forever. libuv's
        // handler forwards it to the loop through a pipe.
        kill(getpid(), SIGUSR1)
        #expect(received.isEmpty)
        loop.run()
        #expect(received == [.user1])
        #expect(closes == 1)
        try loop.close()
    }

    @Test func aSignalRaisedWhileTheLoopRunsArrivesOnce() throws {
        let loop = try Loop()
        let watcher = try SignalWatcher(loop: loop)
        var received: [SignalWatcher.Signal] = []
        try watcher.start(.user2) { received.append($0) }
        let timer = Timer(loop: loop)
        timer.start(after: .milliseconds(1)) { _ in kill(getpid(), SIGUSR2) }
        let deadline = Timer(loop: loop)
        deadline.start(after: .milliseconds(50)) { _ in loop.closeAll() }
        loop.run()
        #expect(received == [.user2])
        #expect(SignalWatcher.Signal.user2.description == "SIGUSR2")
        try loop.close()
    }

    @Test func watchingAnInvalidSignalThrowsAndNeverCallsBack() throws {
        let loop = try Loop()
        let watcher = try SignalWatcher(loop: loop)
        let error = #expect(throws: UVError.self) {
            try watcher.start(.init(rawValue: 0)) { _ in Issue.record("called back") }
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.operation == "watch signal 0")
        watcher.close()
        loop.run()
        try loop.close()
    }
}
