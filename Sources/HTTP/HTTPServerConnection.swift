internal import EventLoop

/// One accepted connection: reads and parses requests, hands them to the
/// server's handler, and writes responses in request order.
///
/// Requests wait in `slots` (oldest first) until answered; only the oldest may
/// be written, so out-of-order answers wait their turn. At
/// `maxPipelinedRequests` slots the connection stops reading and keeps the
/// unparsed bytes in `inbox` until responses drain.
final class HTTPServerConnection {
    let server: HTTPServer
    let tcp: TCPConnection
    /// False for a connection refused with 503, which does not count as open.
    let countsAsOpen: Bool
    private let parser: HTTPParser
    private var inbox: [UInt8] = []
    private var inboxStart = 0
    private var slots: [ResponseSlot] = []
    private var isReading = false
    private var isDriving = false
    /// False after a request without keep-alive, a refusal, or the peer's end.
    private var acceptsRequests = true
    private var phase = Phase.open
    /// When the current request head started to count against `headerTimeout`.
    private var headClock: UInt64?
    private var lastActivity: UInt64
    private var discarded = 0
    /// The peer as `host:port`, formatted once rather than per request.
    private lazy var remoteAddress: String? = tcp.remoteAddress?.description

    private enum Phase { case open, lingering(until: UInt64), closed }

    private var configuration: HTTPServerConfiguration { server.configuration }

    init(server: HTTPServer, tcp: TCPConnection, countsAsOpen: Bool) {
        self.server = server
        self.tcp = tcp
        self.countsAsOpen = countsAsOpen
        parser = HTTPParser(mode: .request, maxHeaderBytes: server.configuration.maxHeaderBytes,
                            maxBodyBytes: server.configuration.maxBodyBytes)
        lastActivity = server.loop.now
        headClock = lastActivity
    }

    var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    func start() {
        resumeReading()
    }

    // MARK: Reading

    private func resumeReading() {
        guard !isReading, !isClosed, !tcp.isClosing else { return }
        do {
            try tcp.startReading { [unowned self] event in self.didRead(event) }
            isReading = true
        } catch {
            close()
        }
    }

    private func pauseReading() {
        guard isReading, !tcp.isClosing else { return }
        tcp.stopReading()
        isReading = false
    }

    private func didRead(_ event: TCPConnection.ReadEvent) {
        lastActivity = server.loop.now
        if case .lingering = phase {
            // Draining what the peer still sends after our final answer.
            guard case .data(let bytes) = event else { return close() }
            discarded += bytes.count
            if discarded > configuration.maxBodyBytes { close() }
            return
        }
        switch event {
        case .data(let bytes):
            guard acceptsRequests else { return }
            inbox += bytes
            drive()
        case .endOfStream:
            // Clients do not half-close HTTP connections in practice: the end of
            // the stream means the peer is gone (an SSE client disconnecting, a
            // long-poll abandoned), and its pending answers have nowhere to go.
            isReading = false
            close()
        case .failure:
            isReading = false
            close()
        }
    }

    /// Parses buffered bytes into requests while the pipeline has room.
    private func drive() {
        guard !isDriving else { return }
        isDriving = true
        defer { isDriving = false }
        parsing: while !isClosed, acceptsRequests, slots.count < configuration.maxPipelinedRequests, inboxStart < inbox.count {
            let wasIdle = !parser.isMidMessage
            let start = inboxStart
            let result = inbox.withUnsafeBytes { raw in
                Result { () throws(HTTPParserError) in
                    try parser.feed(UnsafeRawBufferPointer(rebasing: raw[start...]), stopAfterMessage: true)
                }
            }
            switch result {
            case .success(let (events, consumed)):
                inboxStart += consumed
                if wasIdle && parser.isInHead && slots.isEmpty && headClock == nil { headClock = server.loop.now }
                if consumed == 0 && events.isEmpty { break parsing }
                for event in events { handle(event, completesInBatch: events.count > 1) }
            case .failure(let error):
                inbox = []
                inboxStart = 0
                reject(Self.rejection(for: error), error.description)
            }
        }
        if inboxStart == inbox.count {
            inbox.removeAll(keepingCapacity: inbox.count <= 64 * 1024)
            inboxStart = 0
        }
        // Backpressure: with reading paused the kernel's buffer fills and TCP
        // slows the peer. A connection that takes no more requests keeps
        // reading, to notice the peer leaving.
        if acceptsRequests && slots.count >= configuration.maxPipelinedRequests {
            pauseReading()
        } else if acceptsRequests {
            resumeReading()
        }
    }

    private static func rejection(for error: HTTPParserError) -> HTTPRejection {
        switch error {
        case .headerTooLarge: .headerTooLarge
        case .bodyTooLarge: .bodyTooLarge
        case .malformed, .upgradeNotSupported: .malformed
        }
    }

    private func handle(_ event: HTTPParserEvent, completesInBatch: Bool) {
        switch event {
        case .head(let head):
            // curl waits (1 s) for this before sending a body. Answered only when
            // nothing is ahead of it, so it cannot land inside another response.
            if !completesInBatch, head.version == .http1_1, slots.isEmpty,
               head.headers.contains("Expect", token: "100-continue") {
                write(HTTPWire.continueResponse)
            }
        case .message(let message):
            dispatch(message)
        case .body:
            break  // Requests are never streamed.
        }
    }

    private func dispatch(_ message: HTTPMessage) {
        headClock = nil
        if !message.keepAlive { acceptsRequests = false }
        let slot = ResponseSlot(message: message)
        slots.append(slot)
        let request = HTTPRequest(message, remoteAddress: remoteAddress)
        let handler = server.handler
        handler(request, HTTPResponder(connection: self, slot: slot))
    }

    /// Answers `rejection.status` with a JSON error after the responses ahead of
    /// it, then closes.
    func reject(_ rejection: HTTPRejection, _ message: String) {
        server.count(rejection)
        acceptsRequests = false
        pauseReading()
        let slot = ResponseSlot(closing: true)
        slots.append(slot)
        slot.state = .ready(HTTPWire.response(.error(rejection.status, message), toHEAD: false, closing: true,
                                              keepAliveHeader: false))
        flush()
    }

    // MARK: Writing

    /// Writes answered responses from the front of the queue, in order.
    func flush() {
        while !isClosed, let slot = slots.first {
            switch slot.state {
            case .waiting:
                return
            case .ready(let bytes):
                slots.removeFirst()
                server.stats.requestsServed += slot.isRefusal ? 0 : 1
                write(bytes)
                if slot.closing { return finishAndClose() }
            case .streaming(let stream):
                if !stream.isActive {
                    server.stats.requestsServed += 1
                    write(stream.activate())
                }
                guard stream.isFinished else { return }
                slots.removeFirst()
                if slot.closing || stream.closesConnection { return finishAndClose() }
            }
        }
        guard !isClosed else { return }
        if !acceptsRequests && inboxStart >= inbox.count {
            finishAndClose()
        } else {
            lastActivity = server.loop.now
            if parser.isInHead { headClock = lastActivity }
            drive()
        }
    }

    /// Queues bytes for the peer; a peer that lets too much pile up is dropped.
    func write(_ bytes: [UInt8]) {
        guard !isClosed, !tcp.isClosing, !bytes.isEmpty else { return }
        do {
            try tcp.write(bytes) { [weak self] result in
                if case .failure = result { self?.close() }
            }
        } catch {
            return close()
        }
        if tcp.writeQueueSize > configuration.maxWriteBuffer {
            server.count(.slowReader)
            close()
        }
    }

    /// Bytes written and not yet taken by the kernel.
    var writeBacklog: Int { isClosed || tcp.isClosing ? 0 : tcp.writeQueueSize }

    /// Ends the sending side after the queued writes, then drains the peer
    /// briefly: closing with unread bytes would reset the connection and could
    /// destroy the response in flight.
    private func finishAndClose() {
        guard !isClosed, !tcp.isClosing else { return close() }
        acceptsRequests = false
        phase = .lingering(until: server.loop.now + configuration.lingerTimeout.roundedUpMilliseconds)
        do {
            try tcp.shutdown()
        } catch {
            return close()
        }
        resumeReading()
    }

    /// Closes at once; streams still open learn it through `onClose`.
    func close() {
        guard !isClosed else { return }
        phase = .closed
        acceptsRequests = false
        let abandoned = slots
        slots = []
        if !tcp.isClosing { tcp.close() }
        server.connectionClosed(self)
        for slot in abandoned {
            if case .streaming(let stream) = slot.state { stream.connectionDied() }
        }
    }

    // MARK: Deadlines

    func checkDeadline(now: UInt64) {
        switch phase {
        case .closed:
            return
        case .lingering(let until):
            if now >= until { close() }
        case .open:
            guard slots.isEmpty else { return }  // The handler or a stream owns the time.
            if let headClock, now >= headClock + configuration.headerTimeout.roundedUpMilliseconds {
                reject(.headerTimeout, "request head not received within \(configuration.headerTimeout)")
            } else if parser.isMidMessage && !parser.isInHead,
                      now >= lastActivity + configuration.idleTimeout.roundedUpMilliseconds {
                reject(.headerTimeout, "request body stalled")
            } else if headClock == nil && !parser.isMidMessage,
                      now >= lastActivity + configuration.idleTimeout.roundedUpMilliseconds {
                close()
            }
        }
    }
}
