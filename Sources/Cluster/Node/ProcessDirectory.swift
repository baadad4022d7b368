import EventLoop

/// Every process id the node has committed to running, shared by its shards. A
/// message a process emits to an id no shard knows (a player's key, a typo) is dropped
/// where it was emitted, as AO drops it, instead of first crossing to the shard the id
/// maps to only to be dropped there. In a game tick half of the updates for players'
/// clients took that hop, and each hop also flushed the shard's gathered ledger batch.
///
/// A superset of the processes that exist: an id goes in as soon as a shard decides
/// to create the process (before the child's shard has made it), and never leaves.
/// So a process that learned of another one (a `Spawned` notice, a message naming it)
/// always finds it here.
final class ProcessDirectory: Sendable {
    private let ids = Locked(Set<String>())

    func insert(_ id: String) {
        _ = ids.withLock { $0.insert(id) }
    }

    func contains(_ id: String) -> Bool {
        ids.withLock { $0.contains(id) }
    }
}
