import ArgumentParser
import Cluster
import Foundation
import Gateway

/// `starlane serve`: a node with its durable log and the HTTP gateway in front of it.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Host a node: processes, their durable log (SQLite) and the HTTP gateway.")

    @Option(help: "The node's SQLite database (created if missing).")
    var db = "starlane.db"

    @Option(help: "Address to listen on. 0.0.0.0 exposes the node to the network.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port: UInt16 = 8734

    @Option(help: "Loops (threads) running processes. Default: one per core.")
    var shards: Int?

    @Option(help: "Largest request body, in bytes.")
    var maxBody = 1 << 20

    @Option(help: "Most connections at once.")
    var maxConnections = 1_024

    @Option(help: "Signed messages one key may send per second (its burst is twice this).")
    var rateLimit = 500.0

    func run() throws {
        let feed = CommitFeed()
        var nodeConfiguration = NodeConfiguration(databasePath: db)
        if let shards { nodeConfiguration.shards = shards }
        nodeConfiguration.onCommit = feed.publish
        let node = try Node(configuration: nodeConfiguration)
        try node.start()
        var configuration = GatewayConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.http.maxBodyBytes = maxBody
        configuration.http.maxConnections = maxConnections
        configuration.messagesPerSecondPerKey = rateLimit
        configuration.messageBurstPerKey = rateLimit * 2
        let gateway = Gateway(node: node, feed: feed, configuration: configuration)
        let bound: UInt16
        do {
            bound = try gateway.start()
        } catch {
            node.stop()
            throw ValidationError("cannot listen on \(host):\(port): \(error)")
        }
        // Stop taking requests first, then let the node finish what it committed to.
        node.stopOnSignals { _ in gateway.stop() }
        let recovery = node.recovery
        print("starlane: node \(node.ledger.nodeID) serving http://\(host):\(bound) "
            + "(db \(db), \(node.shardCount) shards, \(recovery.processes) processes recovered)")
        fflush(nil)
        node.waitUntilStopped()
        gateway.stop()
        print("starlane: stopped cleanly")
    }
}
