extension Duration {
    /// Whole milliseconds, rounded up: libuv's timer unit. Rounding up means a
    /// timer never fires before the duration it was given.
    public var roundedUpMilliseconds: UInt64 {
        let (seconds, attoseconds) = components
        precondition(seconds >= 0 && attoseconds >= 0, "negative duration \(self)")
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let fraction = (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond
        return UInt64(seconds) * 1000 + UInt64(fraction)
    }
}
