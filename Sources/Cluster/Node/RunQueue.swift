import DequeModule

/// The fair run queue: processes with work take turns, each running at most
/// `quantum` messages per turn before going to the back. A process flooded with
/// messages therefore delays every other process by one quantum at most.
struct RunQueue {
    private var order = Deque<String>()
    private var queued = Set<String>()

    var isEmpty: Bool { order.isEmpty }
    var count: Int { order.count }

    /// Puts a process at the back unless it is already waiting.
    mutating func enqueue(_ id: String) {
        if queued.insert(id).inserted { order.append(id) }
    }

    /// The next process to run, removed from the queue.
    mutating func next() -> String? {
        guard let id = order.popFirst() else { return nil }
        queued.remove(id)
        return id
    }
}
