import Testing
@testable import Cluster

/// What ao.send puts in the outbox, now built by the host (CLuaNatives/outgoing.c):
/// the fixed AO tags, then the root tags in Lua's string order, then msg.Tags.
@Suite struct OutgoingMessageTests {
    /// The outbox of one `Go` message to a process whose handler runs `body`.
    func outbox(_ body: String) throws -> MessageResult {
        var runner = try ProcessRunner(moduleSource: "Handlers.add('Go', 'Go', function(msg)\n\(body)\nend)")
        #expect(runner.boot().error == nil)
        return runner.process.handle(try runner.parse(#"{"Action":"Go"}"#))
    }

    @Test func rootKeysBecomeSortedTagsAfterTheFixedOnesAndBeforeMsgTags() throws {
        let result = try outbox("""
            Send({ Target = "t", Zeta = "z", Alpha = 1, ["B-2"] = true, Data = "d", From = "spoof",
                   Anchor = "a", f = function() end, [1] = "one", Tags = { X = "y", W = "v" } })
            """)
        #expect(result.error == nil)
        let message = try #require(result.messages.first)
        #expect(message.target == "t")
        #expect(message.data == "d")
        #expect(message.tags.map(\.name) == ["Data-Protocol", "Variant", "Type", "Reference",
                                              "Alpha", "B-2", "Zeta", "W", "X"])
        #expect(message.tags.map(\.value) == ["ao", "ao.TN.1", "Message", "1", "1", "true", "z", "v", "y"])
    }

    @Test func manyRootKeysAreAllKeptInOrder() throws {
        // More keys than the builder's first buffer holds: it grows, in userdata, 7 times.
        let result = try outbox("""
            local m = { Target = "t" }
            for i = 3000, 1, -1 do m[string.format("k%04d", i)] = i end
            Send(m)
            """)
        #expect(result.error == nil, "\(result.error ?? "")")
        let message = try #require(result.messages.first)
        let names = message.tags.dropFirst(4).map(\.name)
        #expect(names == (1...3000).map { "k" + String(repeating: "0", count: 4 - String($0).count) + String($0) })
        #expect(message.tags.dropFirst(4).map(\.value) == (1...3000).map(String.init))
    }

    @Test func theReturnedMessageIsTheOutboxEntryWithItsAnchorAndReplies() throws {
        let result = try outbox("""
            local a = Send({ Target = "t", Action = "One" })
            local b = ao.send({ Target = "t", Action = "Two" })
            assert(a.Anchor == string.format("%032d", 1) and b.Anchor == string.format("%032d", 2))
            assert(type(b.onReply) == "function" and type(b.receive) == "function")
            assert(b.Tags[4].name == "Reference" and b.Tags[4].value == "2")
            print(b.Tags[5].name .. "=" .. b.Tags[5].value)
            """)
        #expect(result.error == nil, "\(result.error ?? "")")
        #expect(result.output == "Action=Two")
        #expect(result.messages.count == 2)
    }

    @Test func theBuilderRefusesWhatIsNotAMessage() throws {
        let result = try outbox("""
            local native = require("starlane.native")
            local ok, err = pcall(native.message, "not a table", 1)
            assert(not ok and err:find("table expected"), err)
            ok, err = pcall(native.message, {}, "x")
            assert(not ok and err:find("number expected"), err)
            ok, err = pcall(native.rootTags, {}, nil)
            assert(not ok and err:find("table expected"), err)
            print("refused")
            """)
        #expect(result.error == nil, "\(result.error ?? "")")
        #expect(result.output == "refused")
    }
}
