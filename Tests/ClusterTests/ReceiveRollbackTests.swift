import Testing
@testable import Cluster

/// Receive keeps a suspended coroutine in the heap, which persist refuses: the
/// process must still roll back correctly by replaying from an older snapshot.
@Suite struct ReceiveRollbackTests {
    @Test func aPendingReceiveSurvivesAFailedMessage() throws {
        let p = try ProcessHarness("""
            Log = {}
            Handlers.add('Ask', 'Ask', function(msg)
              table.insert(Log, 'asked')
              local answer = Receive({ Action = 'Answer' })
              table.insert(Log, 'answered ' .. answer.Data)
            end)
            Handlers.add('Fail', 'Fail', function() table.insert(Log, 'fail'); error('nope') end)
            Handlers.add('Note', 'Note', function(msg) table.insert(Log, msg.Data) end)
            """, snapshotInterval: 2)
        #expect(p.send("Note", data: "one").error == nil)
        #expect(p.send("Ask").error == nil)
        #expect(throws: (any Error).self) { try p.process.persist() }   // a coroutine is parked
        #expect(p.send("Note", data: "two").error == nil)
        #expect(p.send("Note", data: "three").error == nil)
        #expect(p.send("Fail").error?.contains("nope") == true)
        #expect(try p.global("table.concat(Log, ',')") == "one,asked,two,three")
        #expect(p.send("Answer", data: "42").error == nil)
        #expect(try p.global("table.concat(Log, ',')") == "one,asked,two,three,answered 42")
        #expect(try p.process.persist().count > 0)   // nothing parked any more
    }
}
