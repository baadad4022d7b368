import Foundation

extension Shard {
    /// Evaluates a message against a process without keeping anything (`POST /{pid}/dryrun`).
    /// The answer waits until every slot the process has evaluated is durable, so a dry
    /// run never reveals state the log could still lose.
    func dryRun(_ target: String, from: String, tags: [Tag], data: String,
                reply: @escaping (Result<MessageResult, NodeError>) -> Void) {
        guard let runtime = processes[target] else {
            reply(.failure(.unknownProcess(target)))
            return
        }
        do {
            try awaken(runtime)
        } catch {
            reply(.failure(.ledger("cannot wake \(target): \(error)")))
            return
        }
        let slot = runtime.process.nextSlot
        let message = Message(id: Identifiers.derive("dry-run", target, String(slot), from), from: from, owner: from,
                              target: target, tags: tags + [Tag("Read-Only", "true")], data: data,
                              timestamp: max(configuration.clock(), runtime.lastTimestamp), slot: slot, hashChain: "")
        let result = runtime.process.dryRun(message)
        runtime.whenEvaluatedIsDurable { reply(.success(result)) }
    }
}
