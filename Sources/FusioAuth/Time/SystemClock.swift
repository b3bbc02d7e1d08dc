import Glibc

/// Wall-clock time, like PHP's `time()` / `new DateTime()`: CLOCK_REALTIME, truncated to whole seconds.
public struct SystemClock: Clock {
    public init() {}

    public func now() -> UnixTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UnixTime(seconds: Int64(spec.tv_sec))
    }
}
