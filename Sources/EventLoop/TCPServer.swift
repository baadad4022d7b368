internal import CUV

/// A listening TCP socket (`uv_tcp_t` + `uv_listen`) that hands each accepted
/// connection to its callback.
///
/// See https://docs.libuv.org/en/v1.x/stream.html#c.uv_listen
public final class TCPServer: LoopHandle {
    public let loop: Loop
    private let handle: UnsafeMutablePointer<uv_tcp_t>
    var lifecycle = HandleLifecycle()
    private var onConnection: ((Result<TCPConnection, UVError>) -> Void)?
    /// The bound address: with port 0 asked for, the port the system chose.
    public private(set) var localAddress: SocketAddress

    /// Binds `host:port` and listens. `host` is an IP literal (`"127.0.0.1"`,
    /// `"0.0.0.0"`, `"::"`); port 0 picks a free port, read back from `port`.
    ///
    /// `onConnection` runs on the loop for each accepted connection, which the
    /// callback then owns and must close, or with an accept error (the server
    /// keeps listening). Throws if binding or listening fails, `.addressInUse`
    /// for instance; then no callback ever runs.
    public init(loop: Loop, host: String, port: UInt16, backlog: Int32 = 511,
                onConnection: @escaping (Result<TCPConnection, UVError>) -> Void) throws(UVError) {
        loop.preconditionOnLoopThread()
        self.loop = loop
        handle = .allocate(capacity: 1)
        let status = uv_tcp_init(loop.raw, handle)
        precondition(status == 0, "uv_tcp_init cannot fail without a socket, returned \(status)")
        localAddress = SocketAddress(host: host, port: port)
        self.onConnection = onConnection
        register()
        do {
            try listen(backlog: backlog)
        } catch {
            // The handle exists now: it must go through uv_close like any other.
            closeHandle(nil)
            throw error
        }
    }

    private func listen(backlog: Int32) throws(UVError) {
        let operation = "listen on \(localAddress)"
        var address = try localAddress.storage(for: operation)
        // libuv defers most bind errors (EADDRINUSE) to uv_listen.
        try UVError.check(cuv_tcp_bind(handle, &address), operation)
        try UVError.check(uv_listen(cuv_tcp_stream(handle), backlog) { stream, status in
            TCPServer.owner(of: stream).accept(status)
        }, operation)
        var bound = sockaddr_storage()
        try UVError.check(cuv_tcp_getsockname(handle, &bound), operation)
        localAddress = try SocketAddress(bound, operation: operation)
    }

    deinit { handle.deallocate() }

    var uvHandle: UnsafeMutablePointer<uv_handle_t> { cuv_handle(handle) }

    /// The bound port.
    public var port: UInt16 { localAddress.port }

    private func accept(_ status: Int32) {
        let operation = "accept on \(localAddress)"
        guard status == 0 else {
            onConnection?(.failure(UVError(status: status, operation: operation)))
            return
        }
        let connection = TCPConnection(loop: loop)
        let accepted = uv_accept(cuv_tcp_stream(handle), connection.stream)
        guard accepted == 0 else {
            connection.close()
            onConnection?(.failure(UVError(status: accepted, operation: operation)))
            return
        }
        connection.didConnect()
        onConnection?(.success(connection))
    }

    /// True once `close()` was called.
    public var isClosing: Bool { lifecycle.isClosing }

    /// Stops listening; connections already accepted stay open. `onClose` runs on
    /// the loop when libuv released the socket. Closing twice is a bug.
    public func close(_ onClose: (() -> Void)? = nil) {
        closeHandle(onClose)
    }

    func didClose() { onConnection = nil }
}

@available(*, unavailable)
extension TCPServer: Sendable {}
