import Foundation

/// The node's requests with completion handlers instead of `async`: for callers that
/// live on an event loop of their own (the gateway). Each completion runs once, on
/// the thread of the shard that answered; it must hand the result to its own loop.
extension Node {
    public typealias Completion<T> = @Sendable (Result<T, NodeError>) -> Void

    /// `push(to:from:tags:data:id:)`, answered once durable.
    public func push(to target: String, from: String, tags: [Tag], data: String = "", id: String? = nil,
                     completion: @escaping Completion<PushReceipt>) {
        request(on: target, completion) { shard, reply in
            shard.deliver(Envelope(target: target, from: from, owner: from, tags: tags, data: data, id: id, reply: reply))
        }
    }

    /// `spawn(module:owner:tags:data:nonce:)`, answered once the spawn message is durable.
    public func spawn(module source: String, owner: String, tags: [Tag] = [], data: String = "", nonce: String,
                      completion: @escaping Completion<PushReceipt>) {
        let id = Shard.spawnID(source: source, owner: owner, nonce: nonce)
        request(on: id, completion) { shard, reply in
            shard.spawn(source: source, owner: owner, tags: tags, data: data, nonce: nonce, reply: reply)
        }
    }

    /// The id `spawn` gives a process, known before it exists.
    public static func spawnID(source: String, owner: String, nonce: String) -> String {
        Shard.spawnID(source: source, owner: owner, nonce: nonce)
    }

    /// Evaluates a message against a process and forgets it (see `Shard.dryRun`).
    public func dryRun(_ target: String, from: String, tags: [Tag], data: String = "",
                       completion: @escaping Completion<MessageResult>) {
        request(on: target, completion) { shard, reply in
            shard.dryRun(target, from: from, tags: tags, data: data, reply: reply)
        }
    }

    public func dryRun(_ target: String, from: String, tags: [Tag], data: String = "") async throws -> MessageResult {
        try await withCheckedThrowingContinuation { continuation in
            dryRun(target, from: from, tags: tags, data: data) { continuation.resume(with: $0.mapError { $0 as Error }) }
        }
    }

    /// Whether the node runs `process` now: true as soon as a durable slot asked for it
    /// (a spawn), which may be a moment before the process's own first slot is durable.
    public func runs(_ process: String, completion: @escaping @Sendable (Bool) -> Void) {
        let accepted = onOwner(of: process) { shard in completion(shard.processes[process] != nil) }
        if !accepted { completion(false) }
    }

    private func request<T>(on process: String, _ completion: @escaping Completion<T>,
                            _ body: @escaping (Shard, @escaping (Result<T, NodeError>) -> Void) -> Void) {
        let accepted = onOwner(of: process) { shard in body(shard) { completion($0) } }
        if !accepted { completion(.failure(.stopped)) }
    }
}
