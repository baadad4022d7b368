import Client
import Foundation
import HTTP
import Identity

/// An order signed for sending: its message id is known before it leaves, so an
/// `Order-Error` that overtakes the push's answer still finds its order.
struct PlayPreparedOrder: Sendable {
    var id: String
    var nonce: String
    var request: PlayOrderRequest
}

/// The client's network side, on two threads of its own: one follows the player
/// process's stream (reconnecting with backoff, resuming after the last event), one
/// sends orders one at a time. Both only post `PlayEvent`s to the inbox.
final class PlayNetwork: @unchecked Sendable {
    let server: String
    let key: ClientKey
    let player: String
    let inbox: PlayInbox

    private let condition = NSCondition()
    private var queue: [PlayPreparedOrder] = []
    private var stopped = false
    private var counter: UInt64 = 0
    private let nonceBase = "play-" + String(UInt64(Date().timeIntervalSince1970 * 1_000_000), radix: 36)

    init(server: String, key: ClientKey, player: String, inbox: PlayInbox) {
        self.server = server
        self.key = key
        self.player = player
        self.inbox = inbox
    }

    func start() {
        let stream = Thread { [self] in followStream() }
        stream.name = "play-stream"
        stream.start()
        let orders = Thread { [self] in sendOrders() }
        orders.name = "play-orders"
        orders.start()
    }

    /// Stops both threads at their next chance (the stream's at its next event).
    func stop() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private var isStopped: Bool { condition.withLock { stopped } }

    /// Signs the order (to learn its id); `enqueue` sends it.
    func prepare(_ request: PlayOrderRequest) -> PlayPreparedOrder {
        let nonce = condition.withLock {
            counter += 1
            return "\(nonceBase).\(counter)"
        }
        var message = SignedMessage(kind: .push, target: player, nonce: nonce,
                                    tags: request.allTags.map { .init($0.name, $0.value) }, data: request.data)
        try? key.sign(&message)
        return PlayPreparedOrder(id: message.id, nonce: nonce, request: request)
    }

    func enqueue(_ order: PlayPreparedOrder) {
        condition.withLock {
            queue.append(order)
            condition.signal()
        }
    }

    private func followStream() {
        let follower: StreamFollower
        do { follower = try StreamFollower(server: server, process: player) } catch {
            inbox.post(.connection(.down("\(error)")))
            return
        }
        follower.initialBackoff = .milliseconds(250)
        follower.maxBackoff = .seconds(4)
        // A new player's process can be a moment behind the world's Joined in the
        // ledger the gateway reads: its stream is 404 until then.
        var unknown = 0
        while !isStopped {
            do {
                try follower.follow(attempts: nil, onConnection: { [inbox] state in
                    switch state {
                    case .connected: inbox.post(.connection(.connected))
                    case let .lost(reason): inbox.post(.connection(.reconnecting(Self.plain(reason))))
                    }
                }, onEvent: { [self] event in
                    inbox.post(PlayEvent.decode(event))
                    return !isStopped
                })
                return
            } catch let error as ClientError where error.status == 404 && unknown < 40 {
                unknown += 1
                inbox.post(.connection(.reconnecting("waiting for your player process")))
                Thread.sleep(forTimeInterval: 0.25)
            } catch {
                inbox.post(.connection(.down("\(error)")))
                return
            }
        }
    }

    private func sendOrders() {
        let client: StarlaneClient
        do { client = try StarlaneClient(server: server, key: key, timeout: .seconds(10)) } catch {
            inbox.post(.connection(.down("\(error)")))
            return
        }
        while true {
            let next: PlayPreparedOrder? = condition.withLock {
                while queue.isEmpty && !stopped { condition.wait() }
                return stopped ? nil : queue.removeFirst()
            }
            guard let order = next else { return }
            send(order, client)
        }
    }

    /// Pushes an order; a transport failure is retried with the same signed message
    /// (a 409 then means an earlier try was stored), a refusal is final.
    private func send(_ order: PlayPreparedOrder, _ client: StarlaneClient) {
        let start = ContinuousClock.now
        for attempt in 1...3 {
            do {
                let answer = try client.push(to: player, tags: order.request.allTags, data: order.request.data, nonce: order.nonce)
                inbox.post(.orderAccepted(id: order.id, slot: answer.slot, milliseconds: Self.milliseconds(since: start)))
                return
            } catch let error as ClientError {
                if error.status == 409 && attempt > 1 {
                    inbox.post(.orderAccepted(id: order.id, slot: 0, milliseconds: Self.milliseconds(since: start)))
                    return
                }
                if error.status != nil || attempt == 3 {
                    inbox.post(.orderRefused(id: order.id, reason: Self.plain(error.description)))
                    return
                }
                Thread.sleep(forTimeInterval: 0.5)
            } catch {
                inbox.post(.orderRefused(id: order.id, reason: "\(error)"))
                return
            }
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let d = ContinuousClock.now - start
        return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Transport errors in a few words for the status line.
    static func plain(_ reason: String) -> String {
        let lower = reason.lowercased()
        if lower.contains("refused") { return "connection refused" }
        if lower.contains("reset") { return "connection reset" }
        if lower.contains("timed out") || lower.contains("timeout") { return "timed out" }
        if lower.contains("ended") || lower.contains("eof") || lower.contains("closed") { return "the server closed the connection" }
        return String(reason.prefix(60))
    }
}
