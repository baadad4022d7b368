import Testing
@testable import EventLoop

@Suite struct WorkQueueTests {
    @Test func workRunsOffTheLoopAndCompletesOnItInAnyOrderExactlyOnce() throws {
        let loop = try Loop()
        let runner = currentThread()
        let queue = WorkQueue(loop: loop)
        var results: [Int: Int] = [:]
        var completionsOffLoop = 0
        for n in 1...20 {
            try queue.submit({ () -> (sum: Int, onRunner: Bool) in
                ((1...n * 1000).reduce(0, +), sameThread(currentThread(), runner))
            }, completion: { result in
                if !sameThread(currentThread(), runner) { completionsOffLoop += 1 }
                guard case .success(let output) = result else { Issue.record("\(result)"); return }
                #expect(!output.onRunner)
                #expect(results.updateValue(output.sum, forKey: n) == nil)
            })
        }
        loop.run()
        #expect(results.count == 20)
        #expect(results[10] == (1...10_000).reduce(0, +))
        #expect(completionsOffLoop == 0)
        try loop.close()
    }
}
