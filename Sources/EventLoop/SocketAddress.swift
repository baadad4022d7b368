internal import CUV

/// A numeric IP address and port, like `127.0.0.1:8080` or `[::1]:8080`.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal.
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether `host` is an IP literal rather than a name to resolve.
    var isNumeric: Bool {
        var storage = sockaddr_storage()
        return cuv_ip_addr(host, Int32(port), &storage) == 0
    }

    /// The C form, for bind and connect.
    func storage(for operation: @autoclosure () -> String) throws(UVError) -> sockaddr_storage {
        var storage = sockaddr_storage()
        try UVError.check(cuv_ip_addr(host, Int32(port), &storage), operation())
        return storage
    }

    /// Reads a C address (from getsockname, getpeername or getaddrinfo).
    init(_ storage: sockaddr_storage, operation: @autoclosure () -> String) throws(UVError) {
        var storage = storage
        var port: Int32 = 0
        let capacity = 64  // INET6_ADDRSTRLEN is 46.
        let host = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) {
            buffer throws(UVError) -> String in
            buffer.initialize(repeating: 0)
            try UVError.check(cuv_ip_name(&storage, buffer.baseAddress!, capacity, &port), operation())
            return String(cString: buffer.baseAddress!)
        }
        self.init(host: host, port: UInt16(truncatingIfNeeded: port))
    }
}
