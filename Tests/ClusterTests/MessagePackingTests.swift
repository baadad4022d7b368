import Testing
@testable import Cluster
import LuaVM

/// The packed crossing of a message into Lua and of its result back (no JSON).
@Suite struct MessagePackingTests {
    /// Records every field the handler sees, and answers with an awkward outbox.
    static let recorder = """
        Seen = {}
        Handlers.add('Look', 'Look', function(msg, env)
          Seen = { Id = msg.Id, From = msg.From, Owner = msg.Owner, Target = msg.Target, Data = msg.Data,
                   Slot = msg.Slot, Timestamp = msg.Timestamp, Chain = msg['Hash-Chain'], Cron = msg.Cron,
                   Time = os.time(), Tags = #msg.TagArray, Odd = msg.Tags['Odd'], Env = env.Process.Id }
          Send({ Target = msg.From, Action = 'Echo', Data = msg.Data, ['Odd'] = msg.Tags['Odd'] })
          ao.spawn(ao._module, { Data = 'child' })
          print('out ' .. #msg.Data)
        end)
        """

    @Test func everyFieldAndTagCrossesIntact() throws {
        let p = try ProcessHarness(Self.recorder)
        let data = "line one\nzero \u{0}byte, quote \" backslash \\ and ünïcødé 🚀"
        let odd = "tab\t\u{1}\u{7f}é"
        let slot = p.process.nextSlot
        let message = Message(id: "the-id", from: ProcessHarness.owner, target: p.process.identity.id,
                              tags: [Tag("Action", "Look"), Tag("Odd", odd), Tag("Empty", "")]
                                  + (0..<40).map { Tag("T\($0)", String($0)) },
                              data: data, timestamp: 1_700_000_123_456, slot: slot, hashChain: "chain==", cron: true)
        let result = p.process.handle(message)
        #expect(result.error == nil)
        #expect(try p.global("Seen.Id") == "the-id")
        #expect(try p.global("Seen.Data == " + luaQuoted(data)) == "true")
        #expect(try p.global("Seen.Odd == " + luaQuoted(odd)) == "true")
        #expect(try p.global("Seen.Slot") == String(slot))
        #expect(try p.global("Seen.Timestamp") == "1700000123456")
        #expect(try p.global("Seen.Time") == "1700000123456")
        #expect(try p.global("Seen.Chain") == "chain==")
        #expect(try p.global("Seen.Cron") == "true")
        #expect(try p.global("Seen.Tags") == "43")
        #expect(try p.global("Seen.Env") == p.process.identity.id)
        #expect(result.output.contains("out \(data.utf8.count)"))
        #expect(result.messages.count == 1)
        #expect(result.messages.first?.data == data)
        #expect(result.messages.first?.target == ProcessHarness.owner)
        #expect(result.messages.first?.tags[tag: "Odd"] == odd)
        #expect(result.spawns.count == 1)
        #expect(result.spawns.first?.target == nil)
        #expect(result.spawns.first?.data == "child")
    }

    /// Every cut of a packed message is refused with a clear error (the table is sized
    /// from a count read ahead of the fields), and the state serves the whole one after.
    @Test func aTruncatedPackedMessageIsAClearError() throws {
        let state = try LuaState()
        _ = try state.exec("""
            function Handle(msg)
              Got = #msg.Tags .. ' ' .. msg.Data
              return { Output = '', Messages = {}, Spawns = {}, Assignments = {} }
            end
            """)
        let packed = MessagePacking.pack(Message(
            id: "id", from: "from", target: "target", tags: (0..<100).map { Tag("T\($0)", String($0)) },
            data: "payload", timestamp: 1, slot: 2, hashChain: "chain"))
        try state.setEnvironment(json: #"{"Process":{"Id":"target"}}"#)
        for length in stride(from: 0, to: packed.count, by: 7) {
            let error = #expect(throws: LuaError.self) {
                try state.handle("Handle", message: Array(packed.prefix(length)), seed: 0, timestamp: 1) { _ in () }
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains("packed message"))
        }
        try state.handle("Handle", message: packed, seed: 0, timestamp: 1) { _ in () }
        #expect(try state.exec("return Got") == "100 payload")
    }

    @Test func aMessageWithoutHashChainOrCronHasNeither() throws {
        let p = try ProcessHarness(Self.recorder)
        #expect(p.send("Look", data: "").error == nil)
        #expect(try p.global("Seen.Chain") == "nil")
        #expect(try p.global("Seen.Cron") == "nil")
        #expect(try p.global("Seen.Data") == "")
    }

    /// A handler's change to `env` is part of the process: it survives a rollback
    /// and a restore from a snapshot exactly as it would have run on.
    @Test func theEnvironmentIsPersistedWithTheProcess() throws {
        let module = """
            Handlers.add('Mark', 'Mark', function(msg, env)
              env.Marks = (env.Marks or 0) + 1
              Marks = env.Marks
              if msg.Data == 'fail' then error('refused') end
            end)
            """
        let p = try ProcessHarness(module, snapshotInterval: 2)
        for _ in 0..<3 { #expect(p.send("Mark").error == nil) }
        #expect(p.send("Mark", data: "fail").error != nil)
        #expect(try p.global("Marks") == "3")
        let restored = try AOProcess(identity: p.process.identity, moduleSource: module,
                                     snapshot: p.process.persist(), nextSlot: p.process.nextSlot)
        #expect(p.send("Mark").error == nil)
        let slot = restored.nextSlot
        let again = restored.handle(Message(id: "m", from: ProcessHarness.owner, target: restored.identity.id,
                                            tags: [Tag("Action", "Mark")], timestamp: 1, slot: slot))
        #expect(again.error == nil)
        #expect(try p.global("Marks") == "4")
        #expect(try restored.inspect("return tostring(Marks)") == "4")
    }

    @Test func aResultThatIsNotATableIsAClearError() throws {
        let p = try ProcessHarness("")
        #expect(p.eval("_STARLANE.handle = function() return 42 end").error == nil)
        let result = p.send("Anything")
        #expect(result.error?.contains("malformed result") == true)
    }

    @Test func outboxValuesThatAreNotStringsBecomeText() throws {
        // The host reads the outbox as the prelude's text(): numbers and booleans as
        // tostring, tables as JSON (or __tostring), nil as "", other values as <type>;
        // a map of tags in name order.
        let p = try ProcessHarness("")
        let code = """
            local real = _STARLANE.handle
            _STARLANE.handle = function(msg, env)
              local r = real(msg, env)
              local shown = setmetatable({}, { __tostring = function() return 'shown' end })
              r.Messages = {
                { Target = 7, Data = { 1, 2 }, Tags = { { name = 'n', value = 1.5 }, { name = 'b', value = true },
                  { name = 't', value = { a = 1 } }, { name = 's', value = shown }, { name = 'f', value = print } } },
                { Target = 'y', Tags = { Zed = 'z', Alpha = 2 } },
              }
              return r
            end
            """
        #expect(p.eval(code).error == nil)
        let result = p.send("Anything")
        #expect(result.error == nil)
        #expect(result.messages.count == 2)
        let first = try #require(result.messages.first)
        #expect(first.target == "7")
        #expect(first.data == "[1,2]")
        #expect(first.tags.map(\.name) == ["n", "b", "t", "s", "f"])
        #expect(first.tags.map(\.value) == ["1.5", "true", "{\"a\":1}", "shown", "<function>"])
        let second = result.messages[1]
        #expect(second.data == "")
        #expect(second.tags.map(\.name) == ["Alpha", "Zed"])
        #expect(second.tags.map(\.value) == ["2", "z"])
    }

    @Test func anOutboxValueThatCannotBecomeTextFailsTheMessageNotTheHost() throws {
        let p = try ProcessHarness("Before = 1")
        let code = """
            local real = _STARLANE.handle
            _STARLANE.handle = function(msg, env)
              local r = real(msg, env)
              r.Messages = { { Target = 'x', Data = 'd', Tags = { { name = 'n', value = { print } } } } }
              return r
            end
            """
        #expect(p.eval(code).error == nil)
        let result = p.send("Anything")
        #expect(result.error?.contains("json") == true)
        #expect(result.messages.isEmpty)
    }

    private func luaQuoted(_ s: String) -> String {
        var out = "\""
        for byte in s.utf8 { out += "\\\(byte)" }
        return out + "\""
    }
}
