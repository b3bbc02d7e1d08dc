import Glibc

/// The bounded FIFO between the event loop and one lane's worker threads. Blocking threads wait on a condition
/// variable; the loop never blocks on it (it only pushes, and pops expired requests from the head).
final class RequestQueue: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var nonEmpty = pthread_cond_t()
    private var ring: [FastCGIRequest?]
    private var head = 0
    private var count = 0
    private var closed = false

    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        ring = Array(repeating: nil, count: capacity)
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&nonEmpty, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    var depth: Int { locked { count } }

    /// False when the queue is full: the caller answers 503 at once instead of holding the request.
    func push(_ request: FastCGIRequest) -> Bool {
        let accepted = locked { () -> Bool in
            guard count < capacity, !closed else { return false }
            ring[(head + count) % capacity] = request
            count += 1
            return true
        }
        if accepted { pthread_cond_signal(&nonEmpty) }
        return accepted
    }

    /// The oldest request, waiting while there is none; nil once the queue is closed and empty.
    func pop() -> FastCGIRequest? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while count == 0 {
            if closed { return nil }
            pthread_cond_wait(&nonEmpty, &mutex)
        }
        let request = ring[head]
        ring[head] = nil
        head = (head + 1) % capacity
        count -= 1
        return request
    }

    /// Removes the requests at the head that were queued at or before `deadline` (FIFO, so they are all at the
    /// head). The loop answers them itself when every worker thread is stuck.
    func removeExpired(queuedAtOrBefore deadline: Int64) -> [FastCGIRequest] {
        locked {
            var expired: [FastCGIRequest] = []
            while count > 0, let request = ring[head], request.enqueuedAt <= deadline {
                expired.append(request)
                ring[head] = nil
                head = (head + 1) % capacity
                count -= 1
            }
            return expired
        }
    }

    /// Wakes every waiting thread; pop returns what is left, then nil.
    func close() {
        locked { closed = true }
        pthread_cond_broadcast(&nonEmpty)
    }
}
