#if canImport(Glibc)
import Glibc
#endif

/// Milliseconds of the monotonic clock, for cache ages (never for anything written or signed).
public enum MonotonicTime {
    public static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
