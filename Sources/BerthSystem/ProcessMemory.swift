import CBerthSystem

/// The process's own memory settings.
public enum ProcessMemory {
    /// Limits glibc's malloc to `count` arenas. By default every thread that allocates gets one (up to 8 per
    /// core), each keeping freed memory resident; a long-running server with a thread pool then holds far
    /// more than it uses. Returns false when the C library refused (or is not glibc's: then nothing is done).
    @discardableResult
    public static func limitMallocArenas(_ count: Int32) -> Bool { berth_limit_malloc_arenas(count) != 0 }
}
