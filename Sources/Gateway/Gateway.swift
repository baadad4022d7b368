import Cluster
import EventLoop
import Foundation
import HTTP

/// The node's HTTP face: a loop thread of its own running the HTTP server, the
/// routes and the streams, talking to the node through its completion-handler API.
/// docs/PROTOCOL.md describes every route.
public final class Gateway: @unchecked Sendable {
    public let node: Node
    public let configuration: GatewayConfiguration
    private let feed: CommitFeed
    private var thread: Thread?
    private let stopper = Locked<AsyncWakeup<Bool>.Sender?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// `feed` must be the one whose `publish` is the node's `onCommit`.
    public init(node: Node, feed: CommitFeed, configuration: GatewayConfiguration = GatewayConfiguration()) {
        self.node = node
        self.feed = feed
        self.configuration = configuration
    }

    /// Binds and starts serving; returns the port (useful with port 0).
    public func start() throws -> UInt16 {
        let ready = DispatchSemaphore(value: 0)
        let outcome = Locked<Result<UInt16, Error>?>(nil)
        let thread = Thread { [self] in
            do {
                let loop = try Loop()
                let server = try GatewayServer(loop: loop, node: node, configuration: configuration)
                let commits = try AsyncWakeup<[CommittedSlot]>(loop: loop) { server.streams.deliver($0) }
                let stop = try AsyncWakeup<Bool>(loop: loop) { _ in
                    server.close()
                    loop.closeAll()
                }
                let port = try server.listen()
                feed.attach(commits.sender)
                stopper.withLock { $0 = stop.sender }
                outcome.withLock { $0 = .success(port) }
                ready.signal()
                _ = loop.run()
                feed.attach(nil)
                loop.closeAll()
                _ = loop.run()
                try? loop.close()
            } catch {
                outcome.withLock { $0 = .failure(error) }
                ready.signal()
            }
            finished.signal()
        }
        thread.name = "starlane-gateway"
        self.thread = thread
        thread.start()
        ready.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// Stops listening, ends the streams and the loop; returns once the thread is done.
    public func stop() {
        guard let sender = stopper.withLock({ value -> AsyncWakeup<Bool>.Sender? in
            defer { value = nil }
            return value
        }) else { return }
        _ = sender.send(true)
        finished.wait()
    }
}
