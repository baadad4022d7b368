internal import CHTTPParser

/// The one type that touches http-parser (`http_parser`, Debian's libhttp-parser):
/// http-parser is archived upstream, so llhttp can replace it here alone.
///
/// Feed it bytes as they arrive; it yields `HTTPParserEvent`s. Chunked bodies are
/// decoded. Limits fail with distinct errors: `maxHeaderBytes` bounds the start
/// line and fields (counted as name + value + 4 per field), `maxBodyBytes` the
/// body (a larger `Content-Length` fails as soon as the head ends). http-parser
/// also enforces its own compiled-in head limit of 80 KiB, reported the same way.
///
/// C callbacks find the parser through `http_parser.data` (unretained: they only
/// run inside `feed`, while the parser is alive). They never throw: a failure is
/// stored and the callback returns non-zero, which stops http-parser.
/// See https://github.com/nodejs/http-parser/blob/main/README.md
public final class HTTPParser {
    public enum Mode: Sendable { case request, response }

    public let mode: Mode
    public var maxHeaderBytes: Int
    public var maxBodyBytes: Int

    private let parser: UnsafeMutablePointer<http_parser>
    private var settings = http_parser_settings()
    private var events: [HTTPParserEvent] = []
    private var failure: HTTPParserError?
    private var pauseAfterMessage = false

    // The message being parsed.
    private var message = HTTPMessage()
    private var url: [UInt8] = []
    private var field: [UInt8] = []
    private var value: [UInt8] = []
    private var valueStarted = false
    private var headerBytes = 0
    private var bodyBytes = 0
    private var streamsBody = false
    /// Response mode: what each awaited response needs (HEAD has no body; streams).
    private var expectations: [(isHEAD: Bool, streaming: Bool)] = []
    private var expectationIndex = 0

    /// True between the first byte of a message and its end.
    public private(set) var isMidMessage = false
    /// True between the first byte of a message and the end of its head.
    public private(set) var isInHead = false

    public init(mode: Mode, maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1024 * 1024) {
        self.mode = mode
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        parser = .allocate(capacity: 1)
        http_parser_init(parser, mode == .request ? HTTP_REQUEST : HTTP_RESPONSE)
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        installCallbacks()
    }

    deinit { parser.deallocate() }

    /// Response mode: declares the next request sent, so its response is read
    /// right (a response to HEAD has no body) and, if `streaming`, its body comes
    /// as `.body` chunks without a size limit. Call once per request, in order.
    public func expectResponse(toMethod method: String, streaming: Bool = false) {
        precondition(mode == .response, "expectResponse on a request parser")
        expectations.append((isHEAD: method == "HEAD", streaming: streaming))
    }

    /// Parses all of `bytes`.
    public func feed(_ bytes: [UInt8]) throws(HTTPParserError) -> [HTTPParserEvent] {
        let result = bytes.withUnsafeBytes { parse($0, stopAfterMessage: false) }
        return try result.get().events
    }

    /// Parses `bytes`, stopping after the first complete message if
    /// `stopAfterMessage` (for backpressure): returns the events and how many
    /// bytes were consumed; the caller keeps the rest for later.
    public func feed(_ bytes: UnsafeRawBufferPointer, stopAfterMessage: Bool)
        throws(HTTPParserError) -> (events: [HTTPParserEvent], consumed: Int) {
        try parse(bytes, stopAfterMessage: stopAfterMessage).get()
    }

    /// Tells the parser the stream ended: completes a response whose body runs to
    /// the end of the connection, or fails if a message was cut short.
    public func finish() throws(HTTPParserError) -> [HTTPParserEvent] {
        // http_parser_execute with length 0 means end of file.
        try parse(UnsafeRawBufferPointer(start: nil, count: 0), stopAfterMessage: false, eof: true).get().events
    }

    private func parse(_ bytes: UnsafeRawBufferPointer, stopAfterMessage: Bool, eof: Bool = false)
        -> Result<(events: [HTTPParserEvent], consumed: Int), HTTPParserError> {
        if let failure { return .failure(failure) }
        if bytes.isEmpty && !eof { return .success(([], 0)) }
        pauseAfterMessage = stopAfterMessage
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        let consumed = http_parser_execute(parser, &settings, base, bytes.count)
        let code = http_errno(rawValue: parser.pointee.http_errno)
        if code == HPE_PAUSED {
            http_parser_pause(parser, 0)
        } else if code != HPE_OK {
            let error = failure ?? Self.error(for: code, limit: maxHeaderBytes)
            failure = error
            events = []
            return .failure(error)
        } else if parser.pointee.upgrade != 0 {
            // http-parser stops at an upgrade; what follows is another protocol.
            failure = .upgradeNotSupported
        }
        let parsed = events
        events = []
        return .success((parsed, parser.pointee.upgrade != 0 ? bytes.count : consumed))
    }

    private static func error(for code: http_errno, limit: Int) -> HTTPParserError {
        if code == HPE_HEADER_OVERFLOW { return .headerTooLarge(limit: min(limit, 80 * 1024)) }
        return .malformed(name: String(cString: http_errno_name(code)),
                          description: String(cString: http_errno_description(code)))
    }

    /// The standard reason phrase for a status (`404` → `Not Found`).
    public static func reasonPhrase(for status: Int) -> String {
        guard let code = UInt32(exactly: status) else { return "Unknown" }
        let text = String(cString: http_status_str(http_status(rawValue: code)))
        return text == "<unknown>" ? "Unknown" : text
    }

    // MARK: Callbacks

    private static func owner(_ parser: UnsafeMutablePointer<http_parser>?) -> HTTPParser {
        Unmanaged<HTTPParser>.fromOpaque(parser!.pointee.data).takeUnretainedValue()
    }

    private static func bytes(_ at: UnsafePointer<CChar>?, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: at, count: count)
    }

    private func installCallbacks() {
        settings.on_message_begin = { HTTPParser.owner($0).messageBegan() }
        settings.on_url = { HTTPParser.owner($0).headBytes(into: \.url, HTTPParser.bytes($1, $2)) }
        settings.on_status = { HTTPParser.owner($0).headBytes(into: nil, HTTPParser.bytes($1, $2)) }
        settings.on_header_field = { HTTPParser.owner($0).headerField(HTTPParser.bytes($1, $2)) }
        settings.on_header_value = { HTTPParser.owner($0).headerValue(HTTPParser.bytes($1, $2)) }
        settings.on_headers_complete = { HTTPParser.owner($0).headersComplete() }
        settings.on_body = { HTTPParser.owner($0).body(HTTPParser.bytes($1, $2)) }
        settings.on_message_complete = { HTTPParser.owner($0).messageComplete() }
    }

    private func messageBegan() -> Int32 {
        message = HTTPMessage()
        url.removeAll(keepingCapacity: true)
        field.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
        valueStarted = false
        headerBytes = 0
        bodyBytes = 0
        isMidMessage = true
        isInHead = true
        return 0
    }

    private func countHead(_ count: Int) -> Int32 {
        headerBytes += count
        guard headerBytes <= maxHeaderBytes else {
            failure = .headerTooLarge(limit: maxHeaderBytes)
            return 1
        }
        return 0
    }

    private func headBytes(into path: ReferenceWritableKeyPath<HTTPParser, [UInt8]>?,
                           _ bytes: UnsafeRawBufferPointer) -> Int32 {
        if let path { self[keyPath: path].append(contentsOf: bytes) }
        return countHead(bytes.count)
    }

    private func headerField(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        var extra = 0
        if valueStarted || field.isEmpty {
            commitField()
            extra = 4  // ": " and CRLF, so many tiny fields still count.
        }
        field.append(contentsOf: bytes)
        return countHead(bytes.count + extra)
    }

    private func headerValue(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        valueStarted = true
        value.append(contentsOf: bytes)
        return countHead(bytes.count)
    }

    private func commitField() {
        if !field.isEmpty {
            message.headers.add(String(decoding: field, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        field.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
        valueStarted = false
    }

    private func headersComplete() -> Int32 {
        commitField()
        isInHead = false
        let p = parser.pointee
        message.version = HTTPVersion(major: Int(p.http_major), minor: Int(p.http_minor))
        message.keepAlive = http_should_keep_alive(parser) != 0 && p.upgrade == 0
        var skipBody = false
        streamsBody = false
        switch mode {
        case .request:
            message.method = String(cString: http_method_str(http_method(rawValue: p.method)))
            message.target = String(decoding: url, as: UTF8.self)
        case .response:
            message.status = Int(p.status_code)
            if isInformational { return 0 }
            if expectationIndex < expectations.count {
                let expected = expectations[expectationIndex]
                expectationIndex += 1
                if expectationIndex > 64 {
                    expectations.removeFirst(expectationIndex)
                    expectationIndex = 0
                }
                skipBody = expected.isHEAD
                streamsBody = expected.streaming
            }
        }
        let chunked = p.flags & UInt32(F_CHUNKED.rawValue) != 0
        let declared = p.flags & UInt32(F_CONTENTLENGTH.rawValue) != 0 && !chunked
        if !streamsBody && !skipBody && declared && p.content_length > UInt64(maxBodyBytes) {
            failure = .bodyTooLarge(limit: maxBodyBytes)
            return -1  // 0 goes on, 1 skips the body, 2 means upgrade; others fail.
        }
        events.append(.head(message))
        return skipBody ? 1 : 0
    }

    /// A 1xx response other than 101 precedes the real one; it is skipped.
    private var isInformational: Bool {
        mode == .response && message.status / 100 == 1 && message.status != 101
    }

    private func body(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        if streamsBody {
            events.append(.body(Array(bytes)))
            return 0
        }
        bodyBytes += bytes.count
        guard bodyBytes <= maxBodyBytes else {
            failure = .bodyTooLarge(limit: maxBodyBytes)
            return 1
        }
        message.body.append(contentsOf: bytes)
        return 0
    }

    private func messageComplete() -> Int32 {
        isMidMessage = false
        isInHead = false
        if isInformational { return 0 }
        events.append(.message(message))
        message = HTTPMessage()
        if pauseAfterMessage { http_parser_pause(parser, 1) }
        return 0
    }
}

@available(*, unavailable)
extension HTTPParser: Sendable {}
