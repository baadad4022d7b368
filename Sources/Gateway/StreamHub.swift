import Cluster
import EventLoop
import Foundation
import HTTP
import Ledger

/// The `GET /{pid}/stream` subscribers. A new subscriber first reads its backlog from
/// the ledger (from its Last-Event-ID), page by page, then turns live and is fed the
/// node's commit notifications. Loop-confined.
///
/// No gap, no duplicate: a notification reaches the loop only after its slot is
/// durable, and a subscriber turns live in the same loop turn as a ledger read that
/// found nothing more; so every slot is either in that read or in a later
/// notification, and the cursor drops anything at or before it.
final class StreamHub {
    final class Subscriber {
        let process: String
        let stream: HTTPStream
        var cursor: StreamCursor
        var live = false

        init(process: String, stream: HTTPStream, cursor: StreamCursor) {
            self.process = process
            self.stream = stream
            self.cursor = cursor
        }
    }

    private let ledger: Ledger
    private let configuration: GatewayConfiguration
    private let metrics: GatewayMetrics
    private var subscribers: [String: [ObjectIdentifier: Subscriber]] = [:]
    private var catchingUp: [ObjectIdentifier: Subscriber] = [:]
    private var knownProcesses = Set<String>()
    private let pumpTimer: EventLoop.Timer
    private let heartbeatTimer: EventLoop.Timer
    private static let pageSlots: Int64 = 256

    init(loop: Loop, ledger: Ledger, configuration: GatewayConfiguration, metrics: GatewayMetrics) {
        self.ledger = ledger
        self.configuration = configuration
        self.metrics = metrics
        pumpTimer = EventLoop.Timer(loop: loop)
        heartbeatTimer = EventLoop.Timer(loop: loop)
        heartbeatTimer.start(after: configuration.streamHeartbeat, repeating: configuration.streamHeartbeat) { [unowned self] _ in
            self.heartbeat()
        }
    }

    var count: Int { subscribers.values.reduce(0) { $0 + $1.count } }

    /// Starts a stream after `cursor` (events greater than it are sent).
    func open(process: String, after cursor: StreamCursor, stream: HTTPStream) {
        let subscriber = Subscriber(process: process, stream: stream, cursor: cursor)
        let key = ObjectIdentifier(subscriber)
        subscribers[process, default: [:]][key] = subscriber
        catchingUp[key] = subscriber
        metrics.openStreams.set(Double(count))
        stream.onClose = { [weak self, weak subscriber] in
            guard let self, let subscriber else { return }
            self.remove(subscriber)
        }
        // An `open` event (without id, so it moves no cursor) tells the client the
        // stream is up before any event of the process arrives.
        stream.write(ServerSentEvent(event: "open", data: "{\"process\":\"\(process)\"}").encoded())
        schedulePump()
    }

    /// Slots the node made durable (from the commit feed), in order per process.
    func deliver(_ slots: [CommittedSlot]) {
        for committed in slots {
            guard let subs = subscribers[committed.process] else { continue }
            var events: [ServerSentEvent]?
            for subscriber in subs.values where subscriber.live && committed.slot > subscriber.cursor.slot {
                if events == nil {
                    let cause = StreamEvents.Cause(process: committed.process, slot: committed.slot,
                                                   from: committed.from, action: committed.action)
                    events = StreamEvents.events(cause, result: committed.result, isProcess: isProcess)
                }
                send(events!, slot: committed.slot, to: subscriber)
            }
        }
    }

    func closeAll() {
        pumpTimer.close()
        heartbeatTimer.close()
        for subs in subscribers.values { for subscriber in subs.values { subscriber.stream.finish() } }
        subscribers.removeAll()
        catchingUp.removeAll()
    }

    // MARK: - Backlog

    private func schedulePump() {
        guard !catchingUp.isEmpty, !pumpTimer.isActive else { return }
        pumpTimer.start(after: .zero) { [unowned self] _ in self.pump() }
    }

    /// Sends each catching-up subscriber one page of its backlog; one whose client is
    /// slow waits (bounded buffer), one that read everything turns live.
    private func pump() {
        for (key, subscriber) in catchingUp {
            if subscriber.stream.isClosed {
                catchingUp[key] = nil
                continue
            }
            guard subscriber.stream.bufferedBytes < configuration.maxStreamBufferBytes / 2 else { continue }
            let from = subscriber.cursor.slot < 0 ? 0 : subscriber.cursor.slot
            let upper = from + Self.pageSlots - 1
            guard let entries = try? ledger.entries(of: subscriber.process, slots: from...upper) else {
                subscriber.stream.finish()
                catchingUp[key] = nil
                continue
            }
            for entry in entries {
                guard let record = entry.result else { continue }
                let cause = StreamEvents.Cause(process: subscriber.process, slot: record.slot, from: entry.assignment.from,
                                               action: entry.assignment.tags.first { $0.name == "Action" }?.value)
                send(StreamEvents.events(cause, result: MessageResult(record), isProcess: isProcess),
                     slot: record.slot, to: subscriber)
            }
            if subscriber.stream.isClosed {
                catchingUp[key] = nil
            } else if Int64(entries.count) < upper - from + 1 {
                subscriber.live = true
                catchingUp[key] = nil
            }
        }
        if !catchingUp.isEmpty {
            pumpTimer.start(after: .milliseconds(2)) { [unowned self] _ in self.pump() }
        }
    }

    // MARK: - Writing

    private func send(_ events: [ServerSentEvent], slot: Int64, to subscriber: Subscriber) {
        for (index, event) in events.enumerated() where StreamCursor(slot: slot, index: index) > subscriber.cursor {
            subscriber.stream.write(event.encoded())
            metrics.streamEvents.increment()
        }
        subscriber.cursor = StreamCursor(slot: slot, index: Int.max)
        // A reader this far behind is dropped rather than buffered without bound; it
        // comes back with Last-Event-ID and loses nothing.
        if subscriber.stream.bufferedBytes > configuration.maxStreamBufferBytes {
            subscriber.stream.finish()
            remove(subscriber)
        }
    }

    private func heartbeat() {
        for subs in subscribers.values {
            for subscriber in subs.values { subscriber.stream.write(Array(": ping\n\n".utf8)) }
        }
    }

    private func remove(_ subscriber: Subscriber) {
        let key = ObjectIdentifier(subscriber)
        subscribers[subscriber.process]?[key] = nil
        if subscribers[subscriber.process]?.isEmpty == true { subscribers[subscriber.process] = nil }
        catchingUp[key] = nil
        metrics.openStreams.set(Double(count))
    }

    /// Whether an id names a process here (messages to processes are not client events).
    /// Only "yes" is remembered: a child spawned in the same slot it is sent to may
    /// not be in the ledger yet when the parent's slot is streamed.
    func isProcess(_ id: String) -> Bool {
        if knownProcesses.contains(id) { return true }
        guard (try? ledger.process(id)) != nil else { return false }
        if knownProcesses.count > 100_000 { knownProcesses.removeAll() }
        knownProcesses.insert(id)
        return true
    }
}
