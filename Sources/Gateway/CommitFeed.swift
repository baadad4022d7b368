import Cluster
import EventLoop
import Foundation

/// Carries the node's durable slots to the gateway's loop. Created before the node
/// (its `publish` goes into `NodeConfiguration.onCommit`) and attached once the
/// gateway's loop runs; slots committed before that are read from the ledger by the
/// streams that need them.
public final class CommitFeed: Sendable {
    private let target = Locked<AsyncWakeup<[CommittedSlot]>.Sender?>(nil)

    public init() {}

    /// For `NodeConfiguration.onCommit`: runs on a shard thread and returns at once.
    public var publish: @Sendable ([CommittedSlot]) -> Void {
        { [self] slots in
            guard let sender = target.withLock({ $0 }) else { return }
            _ = sender.send(slots)
        }
    }

    func attach(_ sender: AsyncWakeup<[CommittedSlot]>.Sender?) {
        target.withLock { $0 = sender }
    }
}
