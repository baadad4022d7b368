internal import CUV

/// The one door into a loop from other threads: a queue of items plus a
/// `uv_async_t` that wakes the loop to drain it.
///
/// `uv_async_send` coalesces (many sends may cause one callback), so each wakeup
/// drains the whole queue and calls `handler` once per item, in the order the
/// items were enqueued, on the loop thread. Every item whose `send` returned true
/// is delivered exactly once: items still queued when the wakeup closes are
/// delivered in the close callback, before `onClose`. Once closing has begun
/// (`close()` or `Loop.closeAll()`), `send` refuses items and returns false.
///
/// The wakeup itself is confined to its loop; hand other threads its `sender`.
/// For work rather than data, use `AsyncWakeup<@Sendable () -> Void>` with the
/// handler `{ $0() }`.
/// See https://docs.libuv.org/en/v1.x/async.html
public final class AsyncWakeup<Element: Sendable>: LoopHandle {
    public let loop: Loop
    private let channel: Channel
    var lifecycle = HandleLifecycle()
    private var handler: ((Element) -> Void)?

    /// The sending side: Sendable, callable from any thread, cheap to copy.
    public struct Sender: Sendable {
        fileprivate let channel: Channel

        /// Enqueues `item` and wakes the loop. Returns false, dropping the item,
        /// if the wakeup has begun closing.
        @discardableResult
        public func send(_ item: Element) -> Bool {
            channel.send(item)
        }
    }

    /// Creates a wakeup on `loop`; `handler` receives every item on the loop thread.
    public init(loop: Loop, _ handler: @escaping (Element) -> Void) throws(UVError) {
        loop.preconditionOnLoopThread()
        let channel = Channel()
        try UVError.check(uv_async_init(loop.raw, channel.handle, asyncWakeupCallback), "uv_async_init")
        self.loop = loop
        self.channel = channel
        self.handler = handler
        register()
    }

    var uvHandle: UnsafeMutablePointer<uv_handle_t> { cuv_handle(channel.handle) }

    /// A sender for other threads.
    public var sender: Sender { Sender(channel: channel) }

    /// Sends from the loop's own thread; the same as `sender.send(item)`.
    @discardableResult
    public func send(_ item: Element) -> Bool {
        channel.send(item)
    }

    /// True once `close()` was called.
    public var isClosing: Bool { lifecycle.isClosing }

    /// Stops accepting items; the queued ones are still delivered, then `onClose`
    /// runs. Closing twice is a bug.
    public func close(_ onClose: (() -> Void)? = nil) {
        closeHandle(onClose)
    }

    /// Senders must be refused before `uv_close`: `uv_async_send` on a closed
    /// handle would reach a loop that may be gone.
    func willClose() {
        channel.refuseNewItems()
    }

    func didClose() {
        drain()
        handler = nil
    }

    fileprivate func drain() {
        guard let handler else { return }
        for item in channel.takeAll() { handler(item) }
    }

    /// What senders share with the loop: the queue, and the `uv_async_t` it owns.
    /// The `uv_async_t` outlives every use from a sender: `uv_async_send` is only
    /// called under the lock while the wakeup is open, and closing takes the lock.
    fileprivate final class Channel: @unchecked Sendable {
        let handle: UnsafeMutablePointer<uv_async_t> = .allocate(capacity: 1)
        private let state = Locked(State())

        private struct State {
            var items: [Element] = []
            var isOpen = true
        }

        deinit { handle.deallocate() }

        func send(_ item: Element) -> Bool {
            state.withLock { state in
                guard state.isOpen else { return false }
                // Only the first item since the last drain wakes the loop: while
                // the queue is non-empty, a wakeup is pending or a drain (which
                // takes the lock, and so these items too) has yet to run.
                let wasEmpty = state.items.isEmpty
                state.items.append(item)
                if wasEmpty { uv_async_send(handle) }
                return true
            }
        }

        func takeAll() -> [Element] {
            state.withLock { state in
                let items = state.items
                state.items = []
                return items
            }
        }

        func refuseNewItems() {
            state.withLock { $0.isOpen = false }
        }
    }
}

/// Wakes an `AsyncWakeup` of any element type.
private protocol AsyncDrainable: AnyObject {
    func drainQueue()
}

extension AsyncWakeup: AsyncDrainable {
    fileprivate func drainQueue() { drain() }
}

private func asyncWakeupCallback(_ handle: UnsafeMutablePointer<uv_async_t>?) {
    let data = uv_handle_get_data(cuv_handle(handle))!
    let wakeup = Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue() as! any AsyncDrainable
    wakeup.drainQueue()
}

@available(*, unavailable)
extension AsyncWakeup: Sendable {}
