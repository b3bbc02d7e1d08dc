import Glibc

/// Signal handling by waiting, not by handlers: the signals are blocked in every thread and one thread
/// takes them (sigtimedwait in the supervisor, a signalfd in a worker's event loop).
enum Signals {
    static let handled: [Int32] = [SIGTERM, SIGINT, SIGCHLD, SIGHUP, SIGUSR1]
    /// The supervisor retires an old worker during a reload with this; SIGTERM stays "the service stops".
    static let retire = SIGUSR1

    static func set(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Blocks the handled signals in the calling thread; threads created afterwards inherit the mask.
    static func blockHandled() {
        var set = set(handled)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        // A client that hangs up must not kill the process on the next write.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Waits up to `milliseconds` for one of `signals`; nil on timeout.
    static func wait(for signals: [Int32], milliseconds: Int) -> Int32? {
        var set = set(signals)
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        let received = sigtimedwait(&set, nil, &timeout)
        return received > 0 ? received : nil
    }
}
