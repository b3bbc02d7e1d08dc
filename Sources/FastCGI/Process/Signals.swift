import Glibc

/// Signal handling by waiting, not by handlers: the signals are blocked in every thread and one thread
/// takes them with sigtimedwait. libfcgi's own SIGTERM handler only sets a flag, so it must never run.
enum Signals {
    static let handled: [Int32] = [SIGTERM, SIGINT, SIGCHLD, SIGHUP, SIGUSR1]

    /// Interrupts an idle acceptor's accept() during draining; deliberately not in `handled`, so it stays
    /// deliverable to the acceptor threads.
    static let wakeUp = SIGUSR2

    static func installWakeUpHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0   // no SA_RESTART: accept() must return EINTR
        sigaction(wakeUp, &action, nil)
    }

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
