import Foundation

/// The one door from the network threads to the UI thread: they post events, the UI
/// loop drains them between two key reads. Nothing else crosses threads.
public final class PlayInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [PlayEvent] = []

    public init() {}

    public func post(_ event: PlayEvent) {
        lock.withLock { events.append(event) }
    }

    /// Everything posted since the last drain, in order.
    public func drain() -> [PlayEvent] {
        lock.withLock {
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
