import Testing
@testable import Cluster

/// aos handler semantics in the real runtime (the full matrix also runs under
/// plain lua5.4 in Tests/Lua/prelude; these prove the same behaviour here).
@Suite struct HandlersInRuntimeTests {
    let p = try! ProcessHarness("""
        Trace = {}
        local function mark(name) return function() Trace[#Trace + 1] = name end end
        Handlers.add('second', 'Go', mark('second'))
        Handlers.prepend('first', function(msg) return msg.Action == 'Go' and 'continue' or false end, mark('first'))
        Handlers.after('second').add('third', { Action = 'Go', Color = 'bl%a+' }, mark('third'))
        Handlers.before('first').add('zero', { Action = 'Go', Mode = '_' }, mark('zero'))
        Handlers.once('onlyOnce', { Action = 'Once' }, mark('once'))
        Handlers.add('alts', { Action = { 'Red', 'Green' } }, mark('alt'))
        Handlers.add('numeric', function(msg) return msg.Action == 'Num' and 1 or 0 end, mark('num1'))
        Handlers.add('numeric2', function(msg) return msg.Action == 'Num' and -1 or 'skip' end, mark('num2'))
        Handlers.add('never', function(msg) return msg.Action == 'Num' end, mark('never'))
        function TraceText() local s = table.concat(Trace, ',') Trace = {} return s end
        """)

    func trace(_ action: String, _ tags: [Tag] = []) throws -> String? {
        let result = p.send(action, tags: tags)
        #expect(result.error == nil, "\(result.error ?? "")")
        return try p.global("TraceText()")
    }

    @Test func handlersRunInListOrderWithContinueAndBreak() throws {
        // zero needs a Mode tag; first continues; second breaks before third.
        #expect(try trace("Go") == "first,second")
        #expect(try trace("Go", [Tag("Mode", "x")]) == "zero")
    }

    @Test func tablePatternsUseLuaPatternsAndAlternatives() throws {
        // 'zero' has Mode='_' (must exist) and breaks; without Mode it is skipped.
        #expect(try trace("Red") == "alt")
        #expect(try trace("Green") == "alt")
        #expect(try trace("Blue") == "")
    }

    @Test func numericResultsContinueAndBreak() throws {
        #expect(try trace("Num") == "num1,num2")
    }

    @Test func onceRunsOnce() throws {
        #expect(try trace("Once") == "once")
        let before = try p.global("#Inbox")
        #expect(try trace("Once") == "")
        #expect(try p.global("#Inbox") == String(Int(before ?? "0")! + 1))   // it fell to _default
    }

    @Test func removeTakesAHandlerOut() throws {
        #expect(p.eval("Handlers.remove('second')").error == nil)
        #expect(try trace("Go", [Tag("Color", "blue")]) == "first,third")
        #expect(try trace("Go", [Tag("Color", "red")]) == "first")
    }

    @Test func unmatchedMessagesFillTheInbox() throws {
        let result = p.send("Hello", from: ProcessHarness.stranger)
        #expect(result.output.contains("New Message From"))
        #expect(try p.global("Inbox[#Inbox].Action") == "Hello")
    }

    @Test func sendReceiveAcrossMessagesWithReferences() throws {
        let q = try ProcessHarness("""
            Handlers.add('Ask', 'Ask', function(msg)
              local reply = Send({ Target = msg.From, Action = 'Question' }).receive()
              Got = reply.Data
            end)
            """)
        let asked = q.send("Ask")
        #expect(asked.error == nil)
        let question = try #require(asked.messages.first)
        let reference = try #require(question.tags[tag: "Reference"])
        // An unrelated reply does not resume it; the referenced one does.
        q.send("Answer", data: "wrong", tags: [Tag("X-Reference", "999")])
        #expect(try q.global("Got") == "nil")
        q.send("Answer", data: "right", tags: [Tag("X-Reference", reference)])
        #expect(try q.global("Got") == "right")
    }
}
