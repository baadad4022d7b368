internal import CUV

extension TCPConnection {
    /// Queues `bytes` for the peer. They are copied, so the caller's buffer is
    /// free at once; `completion` runs on the loop once the kernel took them all,
    /// or with the error that stopped them (`.canceled` if the connection closed
    /// first). Throws, without ever calling `completion`, if the write cannot be
    /// queued (for instance after `shutdown`).
    public func write(_ bytes: some Collection<UInt8>,
                      completion: ((Result<Void, UVError>) -> Void)? = nil) throws(UVError) {
        loop.preconditionOnLoopThread()
        precondition(!lifecycle.isClosing, "TCPConnection write after close")
        let request = WriteRequest(copying: bytes, connection: self, completion: completion)
        var buffer = uv_buf_init(request.bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                                 UInt32(request.bytes.count))
        // libuv copies the uv_buf_t array into the request; only the bytes must
        // outlive the call, and the request owns them until its callback.
        let unmanaged = Unmanaged.passRetained(request)
        request.request.pointee.data = unmanaged.toOpaque()
        let status = uv_write(request.request, stream, &buffer, 1) { request, status in
            let write = Unmanaged<WriteRequest>.fromOpaque(request!.pointee.data).takeRetainedValue()
            write.complete(status)
        }
        if status < 0 {
            unmanaged.release()
            throw UVError(status: status, operation: "write to \(peerName)")
        }
    }

    /// Shuts down the sending side once queued writes are done: the peer reads
    /// the end of the stream; reading goes on. `completion` runs on the loop.
    /// Throws, without calling `completion`, if the shutdown cannot start.
    public func shutdown(completion: ((Result<Void, UVError>) -> Void)? = nil) throws(UVError) {
        loop.preconditionOnLoopThread()
        precondition(!lifecycle.isClosing, "TCPConnection shutdown after close")
        let request = ShutdownRequest(connection: self, completion: completion)
        let unmanaged = Unmanaged.passRetained(request)
        request.request.pointee.data = unmanaged.toOpaque()
        let status = uv_shutdown(request.request, stream) { request, status in
            let shutdown = Unmanaged<ShutdownRequest>.fromOpaque(request!.pointee.data).takeRetainedValue()
            shutdown.complete(status)
        }
        if status < 0 {
            unmanaged.release()
            throw UVError(status: status, operation: "shut down \(peerName)")
        }
    }
}

/// One `uv_write_t` and the bytes it sends; retained by libuv from `uv_write`
/// until its callback.
private final class WriteRequest {
    let request = UnsafeMutablePointer<uv_write_t>.allocate(capacity: 1)
    let bytes: UnsafeMutableRawBufferPointer
    /// Holds the connection for the request's lifetime (libuv does too, by design).
    let connection: TCPConnection
    let completion: ((Result<Void, UVError>) -> Void)?

    init(copying source: some Collection<UInt8>, connection: TCPConnection,
         completion: ((Result<Void, UVError>) -> Void)?) {
        bytes = .allocate(byteCount: source.count, alignment: 1)
        bytes.copyBytes(from: source)
        self.connection = connection
        self.completion = completion
    }

    deinit {
        request.deallocate()
        bytes.deallocate()
    }

    func complete(_ status: Int32) {
        completion?(status < 0
            ? .failure(UVError(status: status, operation: "write to \(connection.peerName)"))
            : .success(()))
    }
}

/// One `uv_shutdown_t`; retained by libuv from `uv_shutdown` until its callback.
private final class ShutdownRequest {
    let request = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
    let connection: TCPConnection
    let completion: ((Result<Void, UVError>) -> Void)?

    init(connection: TCPConnection, completion: ((Result<Void, UVError>) -> Void)?) {
        self.connection = connection
        self.completion = completion
    }

    deinit { request.deallocate() }

    func complete(_ status: Int32) {
        completion?(status < 0
            ? .failure(UVError(status: status, operation: "shut down \(connection.peerName)"))
            : .success(()))
    }
}
