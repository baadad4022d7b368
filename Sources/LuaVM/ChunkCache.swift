import CLuaNatives

/// The program-wide cache of compiled text chunks behind a process's `load`
/// (`clua_chunkcache.h`): a text of at least `minimumLength` bytes loaded under a
/// chunk name it was loaded under before, by any state, gets that compilation's
/// bytecode (the same function, debug info included) instead of being parsed again.
public enum ChunkCache {
    public static let minimumLength = Int(CLUA_CHUNK_CACHE_MIN_TEXT)

    public struct Statistics: Equatable, Sendable {
        /// Loads served from the cache.
        public var hits: Int
        /// Texts compiled and kept.
        public var stored: Int
        /// Bytes held (texts, names, bytecode).
        public var bytes: Int
    }

    /// Counters since the program started.
    public static var statistics: Statistics {
        let stats = clua_chunk_cache_statistics()
        return Statistics(hits: stats.hits, stored: stats.stored, bytes: Int(stats.bytes))
    }

    /// Loads served from the cache on the calling thread (tests: a state runs its calls
    /// on the caller's thread).
    public static var hitsOnThisThread: Int { clua_chunk_cache_hits_on_this_thread() }

    /// Whether `text` under `chunkName` is held.
    public static func holds(_ text: String, chunkName: String) -> Bool {
        text.withCString { t in
            chunkName.withCString { n in
                clua_chunk_cache_holds(t, text.utf8.count, n, chunkName.utf8.count) != 0
            }
        }
    }
}
