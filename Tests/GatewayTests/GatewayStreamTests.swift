import Client
import Foundation
import Gateway
import HTTP
import Testing

/// `GET /{pid}/stream`: what a process tells its clients, resumable without gaps
/// or duplicates.
@Suite(.serialized) struct GatewayStreamTests {
    /// Tells its caller each step as a message to the caller's address (a client event).
    static let narrator = """
        Handlers.add('Step', 'Step', function(msg)
          msg.reply({ Action = 'Stepped', Data = msg.Data })
        end)
        """

    final class Collected: @unchecked Sendable {
        let lock = NSLock()
        var events: [ServerSentEvent] = []
        func append(_ event: ServerSentEvent) { lock.withLock { events.append(event) } }
        var snapshot: [ServerSentEvent] { lock.withLock { events } }
    }

    @Test func aStreamResumesAfterADisconnectWithoutGapsOrDuplicates() throws {
        let h = try GatewayHarness()
        let pid = try h.spawn(Self.narrator)
        let client = try h.client()
        for n in 1...5 { _ = try client.push(to: pid, tags: [ClientTag("Action", "Step")], data: "\(n)") }

        // First connection from slot 0: reads the backlog, then stops after 3 events.
        let http = h.http()
        var first: [ServerSentEvent] = []
        _ = try http.stream("/\(pid)/stream?from=0", onEvent: { event in
            if event.event == "open" { return true }
            first.append(event)
            return first.count < 3
        }, timeout: .seconds(5))
        #expect(first.map(\.id) == ["1.0", "2.0", "3.0"])

        // Meanwhile more happens; a writer keeps pushing while the reader reconnects.
        let writer = Thread {
            let writerClient = try! h.client()
            for n in 6...40 { _ = try? writerClient.push(to: pid, tags: [ClientTag("Action", "Step")], data: "\(n)") }
        }
        writer.start()
        var second: [ServerSentEvent] = []
        _ = try h.http().stream("/\(pid)/stream", headers: [("Last-Event-ID", first.last!.id!)], onEvent: { event in
            if event.event == "open" { return true }
            second.append(event)
            return second.count < 37
        }, timeout: .seconds(20))
        let all = first + second
        let steps = all.compactMap { event -> Int? in
            guard event.event == "message",
                  let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else { return nil }
            return Int(object["Data"] as? String ?? "")
        }
        #expect(steps == Array(1...40), "\(steps)")
        #expect(Set(all.compactMap(\.id)).count == all.count)
    }

    @Test func aLiveStreamSeesOnlyNewSlotsAndOutputAndErrors() throws {
        let h = try GatewayHarness()
        let pid = try h.spawn(Modules.counter)
        let client = try h.client()
        _ = try client.push(to: pid, tags: [ClientTag("Action", "Add")], data: "1")
        let collected = Collected()
        let reader = Thread {
            let follower = try! StreamFollower(server: h.url, process: pid)
            try? follower.follow(attempts: 1) { event in
                collected.append(event)
                return collected.snapshot.count < 3
            }
        }
        reader.start()
        Thread.sleep(forTimeInterval: 0.3)
        _ = try client.push(to: pid, tags: [ClientTag("Action", "Say")], data: "hello")
        _ = try client.push(to: pid, tags: [ClientTag("Action", "Boom")])
        _ = try client.push(to: pid, tags: [ClientTag("Action", "Add")], data: "2")
        let deadline = Date().addingTimeInterval(5)
        while collected.snapshot.count < 3, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let events = collected.snapshot
        #expect(events.map(\.event) == ["output", "error", "message"])
        #expect(events.map(\.id) == ["2.0", "3.0", "4.0"])
        #expect(events[0].data.contains("said hello") && events[1].data.contains("boom"))
        // Patch messages are state, not events; messages to processes are not client events either.
        #expect(!events.contains { $0.data.contains("patch@1.0") })
    }

    @Test func aBadLastEventIDIsRefused() throws {
        let h = try GatewayHarness()
        let pid = try h.spawn(Modules.counter)
        let response = try h.http().request("GET", "/\(pid)/stream", headers: [("Last-Event-ID", "yesterday")])
        #expect(response.status == 400)
    }

    @Test func followerReconnectsAfterTheServerGoesAway() throws {
        // The follower keeps its place; a stream that cannot be reached is reported, not fatal.
        let follower = try StreamFollower(server: "http://127.0.0.1:1", process: Identifiers43.random())
        follower.initialBackoff = .milliseconds(10)
        var lost = 0
        #expect(throws: ClientError.self) {
            try follower.follow(attempts: 3, onConnection: { if case .lost = $0 { lost += 1 } }) { _ in true }
        }
        #expect(lost == 3)
    }
}
