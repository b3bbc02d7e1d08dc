import CPosix
import Glibc
import Synchronization

/// Answers travelling back from the worker threads to the event loop. Most are already written to the connection
/// by the worker (`sent`, see `ConnectionWriter`) and only tell the loop that the request is done: those are
/// pushed quietly, and the loop collects them whenever it wakes anyway — at the latest before it parses what it
/// reads next from a connection. Answers the loop must send itself wake it through an eventfd, once per batch.
final class CompletionQueue: @unchecked Sendable {
    struct Completion {
        var connection: ConnectionIdentity
        var requestID: UInt16
        var keepConnection: Bool
        var bytes: [UInt8]
        /// Monotonic milliseconds before which the loop does not send it (0: at once).
        var notBefore: Int64 = 0
        /// The worker wrote the answer itself; the loop only does its bookkeeping.
        var sent = false
    }

    private var mutex = pthread_mutex_t()
    private var items: [Completion] = []
    /// The eventfd was written and the loop has not read it yet (under the lock).
    private var wakePending = false
    private let pending = Atomic<Int>(0)
    let eventFD: Int32

    init() {
        pthread_mutex_init(&mutex, nil)
        eventFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(eventFD >= 0, "eventfd failed")
    }

    /// An answer for the loop to send: wakes it unless a wake-up is already on its way.
    func push(_ completion: Completion) {
        pthread_mutex_lock(&mutex)
        items.append(completion)
        pending.store(items.count, ordering: .releasing)
        let wake = !wakePending
        wakePending = true
        pthread_mutex_unlock(&mutex)
        if wake {
            var one: UInt64 = 1
            _ = write(eventFD, &one, 8)
        }
    }

    /// A `sent` completion: no wake-up.
    func pushQuietly(_ completion: Completion) {
        pthread_mutex_lock(&mutex)
        items.append(completion)
        pending.store(items.count, ordering: .releasing)
        pthread_mutex_unlock(&mutex)
    }

    var hasItems: Bool { pending.load(ordering: .acquiring) > 0 }

    /// Everything pushed so far. `readingEventFD` when the eventfd reported readable: it is reset, and the next
    /// push that needs the loop writes it again.
    func takeAll(readingEventFD: Bool = true) -> [Completion] {
        if readingEventFD {
            var counter: UInt64 = 0
            _ = read(eventFD, &counter, 8)
        }
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if readingEventFD { wakePending = false }
        let taken = items
        items.removeAll(keepingCapacity: true)
        pending.store(0, ordering: .releasing)
        return taken
    }
}
