import Prometheus

/// The gateway's Prometheus metrics (`GET /metrics`), one registry per gateway.
final class GatewayMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let requests: Counter
    let pushes: Counter
    let spawns: Counter
    let dryRuns: Counter
    let refused: Counter
    let rateLimited: Counter
    let badSignatures: Counter
    let streamEvents: Counter
    let openStreams: Gauge
    let openConnections: Gauge
    let pushLatency: DurationHistogram

    init() {
        requests = registry.makeCounter(descriptor: .init(namespace: "starlane", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"))
        pushes = registry.makeCounter(descriptor: .init(namespace: "starlane", metricName: "pushes", unitName: "total", helpText: "Signed messages made durable"))
        spawns = registry.makeCounter(descriptor: .init(namespace: "starlane", metricName: "spawns", unitName: "total", helpText: "Processes spawned over HTTP"))
        dryRuns = registry.makeCounter(descriptor: .init(namespace: "starlane", metricName: "dry_runs", unitName: "total", helpText: "Dry runs evaluated"))
        refused = registry.makeCounter(descriptor: .init(namespace: "starlane", metricName: "refused_requests", unitName: "total", helpText: "Requests answered with an error status"))
        rateLimited = registry.makeCounter(descriptor: .init(namespace: "starlane", metricName: "rate_limited", unitName: "total", helpText: "Requests refused by a rate limit"))
        badSignatures = registry.makeCounter(descriptor: .init(namespace: "starlane", metricName: "bad_signatures", unitName: "total", helpText: "Messages with a bad or missing signature"))
        streamEvents = registry.makeCounter(descriptor: .init(namespace: "starlane", metricName: "stream_events", unitName: "total", helpText: "Server-sent events written"))
        openStreams = registry.makeGauge(descriptor: .init(namespace: "starlane", metricName: "open_streams", unitName: "", helpText: "Server-sent event streams open"))
        openConnections = registry.makeGauge(descriptor: .init(namespace: "starlane", metricName: "open_connections", unitName: "", helpText: "HTTP connections open"))
        pushLatency = registry.makeDurationHistogram(
            descriptor: .init(namespace: "starlane", metricName: "push_duration", unitName: "seconds",
                              helpText: "From a push's arrival to its durable answer"),
            buckets: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
                      .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .seconds(1)])
    }

    func text() -> [UInt8] { registry.emitToBuffer() }
}
