import Glibc

/// The bounded FIFO between the event loop and one lane's worker threads. Threads wait on a counting semaphore
/// with one token per pushed request; the loop never blocks on it (it only pushes, and pops expired requests from
/// the head). Not a condition variable: glibc re-takes the mutex in `pthread_cond_wait` marked as contended, so
/// every woken thread paid one more futex system call to unlock it — per request.
final class RequestQueue: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private let available = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private var ring: [FastCGIRequest?]
    private var head = 0
    private var count = 0
    private var closed = false

    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        ring = Array(repeating: nil, count: capacity)
        pthread_mutex_init(&mutex, nil)
        sem_init(available, 0, 0)
    }

    deinit {
        sem_destroy(available)
        available.deallocate()
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
        if accepted { sem_post(available) }
        return accepted
    }

    /// The oldest request, waiting while there is none; nil once the queue is closed and empty.
    func pop() -> FastCGIRequest? {
        while true {
            while sem_wait(available) != 0 {}   // EINTR
            pthread_mutex_lock(&mutex)
            if count > 0 {
                let request = ring[head]
                ring[head] = nil
                head = (head + 1) % capacity
                count -= 1
                pthread_mutex_unlock(&mutex)
                return request
            }
            let isClosed = closed
            pthread_mutex_unlock(&mutex)
            if isClosed {
                sem_post(available)   // the wake-up of `close` goes on to the next waiting thread
                return nil
            }
            // The token of a request the loop took out as expired: wait again.
        }
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

    /// Wakes every waiting thread (one after the other); pop returns what is left, then nil.
    func close() {
        locked { closed = true }
        sem_post(available)
    }
}
