import CPosix
import Glibc

/// Answers travelling back from the worker threads to the event loop, which alone writes to connections. An
/// eventfd wakes the loop, once per batch: only the push that finds the queue empty writes to it.
final class CompletionQueue: @unchecked Sendable {
    struct Completion {
        var connection: ConnectionIdentity
        var requestID: UInt16
        var keepConnection: Bool
        var bytes: [UInt8]
        /// Monotonic milliseconds before which the loop does not send it (0: at once).
        var notBefore: Int64 = 0
    }

    private var mutex = pthread_mutex_t()
    private var items: [Completion] = []
    let eventFD: Int32

    init() {
        pthread_mutex_init(&mutex, nil)
        eventFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(eventFD >= 0, "eventfd failed")
    }

    func push(_ completion: Completion) {
        pthread_mutex_lock(&mutex)
        let wasEmpty = items.isEmpty
        items.append(completion)
        pthread_mutex_unlock(&mutex)
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(eventFD, &one, 8)
        }
    }

    /// Everything pushed so far (called by the loop when the eventfd is readable).
    func takeAll() -> [Completion] {
        var counter: UInt64 = 0
        _ = read(eventFD, &counter, 8)
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let taken = items
        items.removeAll(keepingCapacity: true)
        return taken
    }
}
