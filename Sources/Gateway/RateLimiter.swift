/// Token buckets by key: `rate` tokens a second, at most `burst` saved. Loop-confined.
struct RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: UInt64
    }

    let rate: Double
    let burst: Double
    private var buckets: [String: Bucket] = [:]
    /// Beyond this many keys, buckets that are full again (idle keys) are forgotten.
    private let pruneAbove = 10_000

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes one token for `key` at `now` (ms); nil if granted, else seconds to wait.
    mutating func take(_ key: String, now: UInt64) -> Double? {
        var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
        let elapsed = Double(now &- bucket.updated) / 1000
        bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
        bucket.updated = now
        defer {
            buckets[key] = bucket
            if buckets.count > pruneAbove { prune(now: now) }
        }
        guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / max(rate, 0.001) }
        bucket.tokens -= 1
        return nil
    }

    private mutating func prune(now: UInt64) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + Double(now &- bucket.updated) / 1000 * rate < burst
        }
    }
}
