internal import CUV

/// A failure reported by libuv, with the operation that failed.
///
/// This is the one place where libuv status codes become Swift errors: every
/// wrapper passes its negative status through `UVError(status:operation:)` or
/// `UVError.check(_:_:)`. Names and messages come from libuv's own table
/// (`uv_err_name_r`, `uv_strerror_r`), so they match libuv's documentation.
public struct UVError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A libuv error code: a negative errno on Unix, or one of libuv's own codes.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ code: uv_errno_t) { self.rawValue = Int32(code.rawValue) }

        /// The peer refused the connection (nothing listens on that port).
        public static let connectionRefused = Code(UV_ECONNREFUSED)
        /// The peer reset the connection.
        public static let connectionReset = Code(UV_ECONNRESET)
        /// Writing to a connection the peer closed.
        public static let brokenPipe = Code(UV_EPIPE)
        /// The stream ended; reported as `.endOfStream` by reads, never thrown by them.
        public static let endOfFile = Code(UV_EOF)
        /// The address is taken by another socket.
        public static let addressInUse = Code(UV_EADDRINUSE)
        /// The address does not belong to this machine.
        public static let addressNotAvailable = Code(UV_EADDRNOTAVAIL)
        /// The operation was canceled, usually because its handle was closed first.
        public static let canceled = Code(UV_ECANCELED)
        /// The resource is busy: closing a loop that still has handles.
        public static let busy = Code(UV_EBUSY)
        /// The operation timed out.
        public static let timedOut = Code(UV_ETIMEDOUT)
        /// An argument was invalid (for instance a host that is not an IP literal).
        public static let invalidArgument = Code(UV_EINVAL)
        /// The operation is already in progress (reading twice).
        public static let alreadyInProgress = Code(UV_EALREADY)
        /// The socket is not connected.
        public static let notConnected = Code(UV_ENOTCONN)
        /// Name resolution found no such host.
        public static let unknownHost = Code(UV_EAI_NONAME)
    }

    /// What went wrong.
    public let code: Code
    /// What was being done, with its context: `"connect to 127.0.0.1:8080"`.
    public let operation: String

    public init(code: Code, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// Wraps a negative libuv status.
    init(status: Int32, operation: String) {
        precondition(status < 0, "UVError from a success status \(status)")
        self.init(code: Code(rawValue: status), operation: operation)
    }

    /// Throws for a negative status, returns a non-negative one.
    @discardableResult
    static func check(_ status: Int32, _ operation: @autoclosure () -> String) throws(UVError) -> Int32 {
        if status < 0 { throw UVError(status: status, operation: operation()) }
        return status
    }

    /// libuv's name for the code, like `"ECONNREFUSED"`.
    public var name: String {
        Self.text(code.rawValue) { uv_err_name_r($0, $1, $2) }
    }

    /// libuv's message for the code, like `"connection refused"`.
    public var message: String {
        Self.text(code.rawValue) { uv_strerror_r($0, $1, $2) }
    }

    public var description: String {
        "\(operation) failed: \(name) (\(message))"
    }

    /// The `_r` variants write into a caller's buffer; the plain ones leak for
    /// unknown codes.
    private static func text(
        _ code: Int32,
        _ render: (Int32, UnsafeMutablePointer<CChar>, Int) -> UnsafeMutablePointer<CChar>?
    ) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { buffer in
            buffer.initialize(repeating: 0)
            _ = render(code, buffer.baseAddress!, buffer.count)
            return String(cString: buffer.baseAddress!)
        }
    }
}
