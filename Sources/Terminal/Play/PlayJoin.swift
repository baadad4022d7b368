import Client
import Foundation
import HTTP
import Identity

/// Finding the world and joining it, before the screen starts (so failures print as
/// plain lines on a normal terminal).
enum PlayJoin {
    struct Joined: Equatable {
        var process: String
        var number: Int?
        var sector: String?
        var name: String?
    }

    /// The world to join: `--world`, else the one the server names in `GET /~info`
    /// (`services.world`, which `starlane serve` fills in).
    static func discoverWorld(_ client: StarlaneClient) throws -> String {
        let info = try client.info()
        guard let services = PlayJSON.object(PlayJSON.object(PlayJSON.parse(info))?["services"]),
              let world = PlayJSON.string(services["world"]) else {
            throw PlayError("the server at \(client.server) names no world; pass --world PID (`starlane serve` prints it)")
        }
        return world
    }

    /// Sends `Join` and waits for the world's `Joined` to this key on the world's stream
    /// (from the Join's own slot: a known player is answered in that slot, a new one
    /// once its process exists).
    static func join(_ client: StarlaneClient, world: String, address: String, name: String?,
                     timeout: TimeInterval = 60) throws -> Joined {
        do { _ = try client.state(world, path: ["sectors"]) } catch let error as ClientError where error.status == 404 {
            throw PlayError("\(world) is not a world on \(client.server): it publishes no sector directory")
        }
        var tags = [ClientTag("Action", "Join")]
        if let name { tags.append(.init("Player-Name", name)) }
        let answer = try client.push(to: world, tags: tags)
        let server = "\(client.server)", slot = answer.slot
        let result = JoinWait()
        let thread = Thread {
            do {
                let follower = try StreamFollower(server: server, process: world, fromSlot: slot)
                follower.initialBackoff = .milliseconds(200)
                try follower.follow(attempts: 10) { event in
                    guard event.event == "message", let object = PlayJSON.object(PlayJSON.parse(event.data)),
                          PlayJSON.string(object["Target"]) == address else { return !result.isDone }
                    var tags: [String: String] = [:]
                    for item in PlayJSON.array(object["Tags"]) ?? [] {
                        if let t = PlayJSON.object(item), let n = PlayJSON.string(t["name"]), let v = PlayJSON.string(t["value"]) {
                            tags[n] = v
                        }
                    }
                    if tags["Action"] == "Join-Error" {
                        result.finish(.failure(PlayError("the world refused to let you join: \(tags["Error"] ?? "no reason given")")))
                        return false
                    }
                    if case let .joined(process, number, sector, joinedName) =
                        PlayEvent.decode(action: tags["Action"], tags: tags, data: "") {
                        result.finish(.success(Joined(process: process, number: number, sector: sector, name: joinedName)))
                        return false
                    }
                    return !result.isDone
                }
            } catch {
                result.finish(.failure(error))
            }
        }
        thread.start()
        guard let outcome = result.wait(timeout: timeout) else {
            throw PlayError("the world did not answer the Join within \(Int(timeout)) s")
        }
        return try outcome.get()
    }

    /// The outcome of the Join, handed from the stream thread to the caller.
    final class JoinWait: @unchecked Sendable {
        private let condition = NSCondition()
        private var outcome: Result<Joined, any Error>?

        var isDone: Bool { condition.withLock { outcome != nil } }

        func finish(_ value: Result<Joined, any Error>) {
            condition.withLock {
                if outcome == nil { outcome = value }
                condition.broadcast()
            }
        }

        func wait(timeout: TimeInterval) -> Result<Joined, any Error>? {
            let deadline = Date().addingTimeInterval(timeout)
            return condition.withLock {
                while outcome == nil, condition.wait(until: deadline) {}
                return outcome
            }
        }
    }
}
