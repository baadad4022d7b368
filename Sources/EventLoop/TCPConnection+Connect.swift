internal import CUV

extension TCPConnection {
    /// Opens a connection to `host:port`; `host` is an IP literal or a name to
    /// resolve (`uv_getaddrinfo`, first address).
    ///
    /// `callback` runs exactly once on the loop, with the connected connection,
    /// which the caller then owns and must close, or with the error. On failure
    /// the connection is already closed: do not close it again. Closing the
    /// returned connection before the callback cancels the attempt (the callback
    /// then reports `.canceled`), which is how callers time a connect out.
    ///
    /// Throws, without ever calling `callback`, if the attempt cannot start.
    @discardableResult
    public static func connect(
        loop: Loop, host: String, port: UInt16,
        _ callback: @escaping (Result<TCPConnection, UVError>) -> Void
    ) throws(UVError) -> TCPConnection {
        loop.preconditionOnLoopThread()
        let connection = TCPConnection(loop: loop)
        let target = SocketAddress(host: host, port: port)
        do {
            if target.isNumeric {
                try connection.startConnect(to: target.storage(for: "connect to \(target)"),
                                            named: target.description, callback)
            } else {
                try Resolution.start(loop: loop, host: host, port: port) { result in
                    connection.didResolve(result, named: target.description, callback)
                }
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private func didResolve(_ result: Result<sockaddr_storage, UVError>, named name: String,
                            _ callback: @escaping (Result<TCPConnection, UVError>) -> Void) {
        if lifecycle.isClosing {
            return callback(.failure(UVError(code: .canceled, operation: "connect to \(name)")))
        }
        do {
            try startConnect(to: result.get(), named: name, callback)
        } catch {
            close()
            callback(.failure(error))
        }
    }

    private func startConnect(to address: sockaddr_storage, named name: String,
                              _ callback: @escaping (Result<TCPConnection, UVError>) -> Void) throws(UVError) {
        var address = address
        let request = ConnectRequest(connection: self, name: name, callback: callback)
        let unmanaged = Unmanaged.passRetained(request)
        request.request.pointee.data = unmanaged.toOpaque()
        let status = cuv_tcp_connect(request.request, handle, &address) { request, status in
            Unmanaged<ConnectRequest>.fromOpaque(request!.pointee.data).takeRetainedValue().complete(status)
        }
        if status < 0 {
            unmanaged.release()
            throw UVError(status: status, operation: "connect to \(name)")
        }
    }
}

/// One `uv_connect_t`; retained by libuv from `uv_tcp_connect` until its callback.
private final class ConnectRequest {
    let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
    let connection: TCPConnection
    let name: String
    let callback: (Result<TCPConnection, UVError>) -> Void

    init(connection: TCPConnection, name: String, callback: @escaping (Result<TCPConnection, UVError>) -> Void) {
        self.connection = connection
        self.name = name
        self.callback = callback
    }

    deinit { request.deallocate() }

    func complete(_ status: Int32) {
        if status < 0 {
            if !connection.isClosing { connection.close() }
            callback(.failure(UVError(status: status, operation: "connect to \(name)")))
        } else {
            connection.didConnect()
            callback(.success(connection))
        }
    }
}

/// One name lookup (`uv_getaddrinfo_t`), resolved to its first address.
private final class Resolution {
    let request = UnsafeMutablePointer<uv_getaddrinfo_t>.allocate(capacity: 1)
    let loop: Loop
    let name: String
    let callback: (Result<sockaddr_storage, UVError>) -> Void

    private init(loop: Loop, name: String, callback: @escaping (Result<sockaddr_storage, UVError>) -> Void) {
        self.loop = loop
        self.name = name
        self.callback = callback
    }

    deinit { request.deallocate() }

    /// Starts the lookup; throws, never calling back, if it cannot start.
    static func start(loop: Loop, host: String, port: UInt16,
                      _ callback: @escaping (Result<sockaddr_storage, UVError>) -> Void) throws(UVError) {
        let resolution = Resolution(loop: loop, name: host, callback: callback)
        let unmanaged = Unmanaged.passRetained(resolution)
        resolution.request.pointee.data = unmanaged.toOpaque()
        var hints = cuv_tcp_hints()
        // libuv copies the host, service and hints into the request.
        let status = uv_getaddrinfo(loop.raw, resolution.request, { request, status, info in
            let resolution = Unmanaged<Resolution>.fromOpaque(request!.pointee.data).takeRetainedValue()
            defer { uv_freeaddrinfo(info) }
            var address = sockaddr_storage()
            let found = status < 0 ? status : cuv_addrinfo_first(info, &address)
            resolution.callback(found < 0
                ? .failure(UVError(status: found, operation: "resolve \(resolution.name)"))
                : .success(address))
        }, host, String(port), &hints)
        if status < 0 {
            unmanaged.release()
            throw UVError(status: status, operation: "resolve \(host)")
        }
    }
}
