/// One request's place in the response order.
final class ResponseSlot {
    enum State {
        case waiting
        case ready([UInt8])
        case streaming(HTTPStream)
    }

    let isHEAD: Bool
    let version: HTTPVersion
    /// The last request of the connection: its answer says `Connection: close`.
    let closing: Bool
    /// An HTTP/1.0 client asked for keep-alive, which the answer must confirm.
    let confirmsKeepAlive: Bool
    let isRefusal: Bool
    var state = State.waiting

    init(message: HTTPMessage) {
        isHEAD = message.method == "HEAD"
        version = message.version
        closing = !message.keepAlive
        confirmsKeepAlive = message.keepAlive && message.version == .http1_0
        isRefusal = false
    }

    init(closing: Bool) {
        isHEAD = false
        version = .http1_1
        self.closing = closing
        confirmsKeepAlive = false
        isRefusal = true
    }

}
