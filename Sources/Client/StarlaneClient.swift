import Foundation
import HTTP
import Identity

/// The gateway's API for Swift callers (the CLI, the terminal client, bots): signs
/// with the client's key, keeps one keep-alive connection. Blocking; use from one thread.
public final class StarlaneClient {
    public let server: HTTPURL
    public let key: ClientKey?
    private let http: BlockingHTTPClient
    private var nonceCounter: UInt64 = 0
    private let nonceBase: String

    /// `server` such as `http://127.0.0.1:8734`.
    public init(server: String, key: ClientKey? = nil, timeout: Duration = .seconds(30)) throws {
        do { self.server = try HTTPURL(server) } catch {
            throw ClientError(status: nil, message: "bad server URL \(server): \(error)")
        }
        self.key = key
        http = BlockingHTTPClient(url: self.server, timeout: timeout)
        // Unique across runs of the same key: a run starts past every earlier one's time.
        nonceBase = String(UInt64(Date().timeIntervalSince1970 * 1_000_000), radix: 36)
    }

    /// A nonce never used before by this key (time of this run + a counter).
    public func nextNonce() -> String {
        nonceCounter += 1
        return "\(nonceBase).\(nonceCounter)"
    }

    // MARK: - Messages

    /// Sends a signed message; answers once it is durable (with its result if asked).
    public func push(to process: String, tags: [ClientTag], data: String = "", waitForResult: Bool = false,
                     nonce: String? = nil) throws -> PushAnswer {
        let body = try signedBody(kind: .push, target: process, tags: tags, data: data, nonce: nonce ?? nextNonce())
        return try decode(PushAnswer.self, try send("POST", "/\(process)/push\(waitForResult ? "?wait=result" : "")", body))
    }

    /// Spawns a process from Lua source (owned by this client's key); answers its id.
    public func spawn(source: String, tags: [ClientTag] = [], data: String = "", waitForResult: Bool = false,
                      nonce: String? = nil) throws -> PushAnswer {
        let moduleID = ModuleID.of(source: source)
        var body = try signedBody(kind: .spawn, target: moduleID, tags: tags, data: data, nonce: nonce ?? nextNonce())
        body["source"] = source
        return try decode(PushAnswer.self, try send("POST", "/spawn\(waitForResult ? "?wait=result" : "")", body))
    }

    /// Evaluates a message against a process without changing it.
    public func dryRun(_ process: String, tags: [ClientTag], data: String = "", from: String? = nil) throws -> ClientResult {
        var body: [String: Any] = ["tags": tags.map { ["name": $0.name, "value": $0.value] }, "data": data]
        if let from = from ?? key?.address { body["from"] = from }
        return try decode(ClientResult.self, try send("POST", "/\(process)/dryrun", body))
    }

    // MARK: - Reading

    /// The process's public state (`/now`), or one value of it (`/now/key/path…`), as JSON text.
    public func state(_ process: String, path: [String] = []) throws -> String {
        let suffix = path.map { "/" + Self.escape($0) }.joined()
        return text(try get("/\(process)/now\(suffix)"))
    }

    /// The log as export lines (header first), slots `from…to`.
    public func slots(_ process: String, from: Int64 = 0, to: Int64? = nil) throws -> String {
        text(try get("/\(process)/slots?from=\(from)\(to.map { "&to=\($0)" } ?? "")"))
    }

    /// Results as JSON, slots `from…to`.
    public func results(_ process: String, from: Int64 = 0, to: Int64? = nil) throws -> String {
        text(try get("/\(process)/results?from=\(from)\(to.map { "&to=\($0)" } ?? "")"))
    }

    public func info() throws -> String { text(try get("/~info")) }

    /// The world the node hosts (`services.world` of `/~info`), or a clear error.
    public func worldID() throws -> String {
        let text = try info()
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        guard let world = (object?["services"] as? [String: Any])?["world"] as? String else {
            throw ClientError(status: nil, message: "\(server) hosts no world (started with --bare?); name one with --world")
        }
        return world
    }

    // MARK: - Plumbing

    func signedBody(kind: SignedMessage.Kind, target: String, tags: [ClientTag], data: String,
                    nonce: String) throws -> [String: Any] {
        guard let key else { throw ClientError(status: nil, message: "this needs a key (starlane keygen)") }
        var message = SignedMessage(kind: kind, target: target, nonce: nonce,
                                    tags: tags.map { .init($0.name, $0.value) }, data: data)
        try message.validate()
        try key.sign(&message)
        return ["nonce": nonce, "tags": tags.map { ["name": $0.name, "value": $0.value] }, "data": data,
                "key": message.key, "signature": message.signature]
    }

    func get(_ path: String) throws -> HTTPResponse {
        try checked { () throws(HTTPClientError) in try http.request("GET", path) }
    }

    func send(_ method: String, _ path: String, _ json: [String: Any]) throws -> HTTPResponse {
        let body = [UInt8](try JSONSerialization.data(withJSONObject: json))
        return try checked { () throws(HTTPClientError) in
            try http.request(method, path, headers: [("Content-Type", "application/json")], body: body)
        }
    }

    private func checked(_ call: () throws(HTTPClientError) -> HTTPResponse) throws -> HTTPResponse {
        let response: HTTPResponse
        do { response = try call() } catch {
            throw ClientError(status: nil, message: "cannot reach \(server): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            let message = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["error"] as? String
            throw ClientError(status: response.status, message: message ?? response.bodyText)
        }
        return response
    }

    private func text(_ response: HTTPResponse) -> String { response.bodyText }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(response.body)) } catch {
            throw ClientError(status: response.status, message: "unexpected answer from the server: \(response.bodyText.prefix(200))")
        }
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }
}
