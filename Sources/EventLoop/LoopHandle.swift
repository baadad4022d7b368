internal import CUV

/// Where a handle is in its life: open, then closing until libuv's close
/// callback, which ends it. A handle is closed exactly once.
struct HandleLifecycle {
    var isClosing = false
    var onClose: (() -> Void)?
}

/// What every wrapper of a `uv_handle_t` shares: one reference held by libuv and
/// one way to close.
///
/// libuv may touch a handle's memory until its close callback
/// (https://docs.libuv.org/en/v1.x/handle.html#c.uv_close), so `register()` stores
/// `Unmanaged.passRetained(self)` in `handle->data` and the close callback
/// releases it. The wrapper frees the C memory in its `deinit`, which therefore
/// cannot run earlier. C callbacks are non-capturing closures that recover the
/// wrapper from `handle->data`.
protocol LoopHandle: AnyObject {
    var loop: Loop { get }
    /// The wrapped handle, as the `uv_handle_t` it begins with.
    var uvHandle: UnsafeMutablePointer<uv_handle_t> { get }
    var lifecycle: HandleLifecycle { get set }
    /// Runs in `closeHandle`, right before `uv_close`, however the close began
    /// (`close()` or `Loop.closeAll()`).
    func willClose()
    /// Runs in the close callback, before the user's: drop callbacks (breaking
    /// any cycle through them) and finish pending work.
    func didClose()
}

extension LoopHandle {
    func willClose() {}

    /// Gives libuv its reference; call once the handle is initialised.
    func register() {
        uv_handle_set_data(uvHandle, Unmanaged.passUnretained(self).retain().toOpaque())
    }

    /// The wrapper of a handle, for C callbacks.
    static func owner(of handle: UnsafeMutableRawPointer?) -> Self {
        let data = uv_handle_get_data(cuv_handle(handle))!
        return Unmanaged<Self>.fromOpaque(data).takeUnretainedValue()
    }

    /// Starts closing (`uv_close`); `onClose` runs on the loop once libuv is done.
    /// Closing twice is a bug.
    func closeHandle(_ onClose: (() -> Void)?) {
        loop.preconditionOnLoopThread()
        precondition(!lifecycle.isClosing, "\(Self.self) closed twice")
        lifecycle.isClosing = true
        lifecycle.onClose = onClose
        willClose()
        uv_close(uvHandle, handleCloseCallback)
    }
}

/// The close callback of every handle: the last moment libuv touches it.
private func handleCloseCallback(_ handle: UnsafeMutablePointer<uv_handle_t>?) {
    let unmanaged = Unmanaged<AnyObject>.fromOpaque(uv_handle_get_data(handle)!)
    let owner = unmanaged.takeUnretainedValue() as! any LoopHandle
    let onClose = owner.lifecycle.onClose
    owner.lifecycle.onClose = nil
    owner.didClose()
    onClose?()
    // Released last: `onClose` may have dropped the user's final reference.
    unmanaged.release()
}
