import Glibc

/// Application-level group commit, leader/follower style, without a thread of its own: a thread with an item to
/// write queues it; if no batch is being written it becomes the leader, takes the oldest queued items (at most
/// `maximumBatch`) and writes them on its own connection in one transaction, then hands every member its own
/// outcome. Threads that arrive while a batch is written wait on their own semaphore (no spinning, no sleeps) and
/// are woken once: with their outcome, or to lead the next batch. The leader wakes them after it released the
/// mutex: a condition variable woke each follower into a mutex the leader still held (a futex call to wait for it
/// and one to hand it over, per follower). An idle queue never waits: the first item is written at once, as a
/// batch of one.
///
/// Why: every durable commit costs the database a log write and a round of statements; concurrent token writes of
/// one process share one (README, "Group commit of token writes").
///
/// A batch that fails as a whole (its closure throws or answers the wrong number of outcomes) is not retried as a
/// batch: every member, the leader included, writes its own item through the single path on its own thread and
/// connection, after the leader has handed on its turn. So one bad item never fails the others, and a batch closure
/// that refuses to wait (for a row lock, say) instead of waiting keeps one slow item from holding up every writer.
/// Items are taken in arrival order, and a batch's items reach the closure in that order.
public final class GroupCommit<Item: Sendable, Outcome: Sendable>: @unchecked Sendable {
    /// What a finished batch reports to the observer (metrics): how many items it carried, and whether it failed
    /// as a whole and its members fell back to single writes.
    public struct Batch: Sendable, Equatable {
        public var size: Int
        public var fellBack: Bool
    }

    public let maximumBatch: Int
    /// How many batches (or lone items) may be written at once, each by its own leader on its own connection.
    public let maximumWriters: Int
    private let observer: (@Sendable (Batch) -> Void)?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Waiters not yet taken into a batch, oldest first.
    private var queue: [Waiter] = []
    /// Leaders writing a batch (or a lone item) now.
    private var writers = 0
    /// Wake-ups posted to waiting threads, for tests: each follower is woken once with its outcome, plus any wake-up
    /// to lead a batch.
    private var signals = 0
    /// False once `stopBatching()` was called: every item is then written singly at once.
    private var batching = true

    public init(maximumBatch: Int, maximumWriters: Int = 1, observer: (@Sendable (Batch) -> Void)? = nil) {
        precondition(maximumBatch >= 1 && maximumWriters >= 1, "GroupCommit: bounds must be at least 1")
        self.maximumBatch = maximumBatch
        self.maximumWriters = maximumWriters
        self.observer = observer
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Writes `item` as part of a batch and returns its own outcome. `batch` writes one or more items in one
    /// transaction (outcomes in the items' order) and runs only on the calling thread, when it leads; `single`
    /// writes the caller's own item when its batch failed (or batching was stopped).
    public func submit<Failure: Error>(
        _ item: Item, batch: ([Item]) throws -> [Outcome], single: (Item) throws(Failure) -> Outcome
    ) throws(Failure) -> Outcome {
        pthread_mutex_lock(mutex)
        guard batching else {
            pthread_mutex_unlock(mutex)
            return try single(item)
        }
        let waiter = Waiter(item: item)
        queue.append(waiter)
        while true {
            switch waiter.state {
            case .done(let outcome):
                pthread_mutex_unlock(mutex)
                return outcome
            case .writeSingly:
                pthread_mutex_unlock(mutex)
                return try single(item)
            case .queued where writers < maximumWriters:
                let members = takeBatch()
                pthread_mutex_unlock(mutex)
                let outcomes = try? batch(members.map { $0.item })
                let succeeded = outcomes?.count == members.count
                observer?(Batch(size: members.count, fellBack: !succeeded))
                pthread_mutex_lock(mutex)
                var woken: [Waiter] = []
                woken.reserveCapacity(members.count)
                for (index, member) in members.enumerated() {
                    member.state = succeeded ? .done(outcomes![index]) : .writeSingly
                    if member !== waiter { woken.append(member) }
                }
                if let next = finishBatch(leader: waiter) { woken.append(next) }
                signals += woken.count
                pthread_mutex_unlock(mutex)
                for member in woken { member.wake() }
                pthread_mutex_lock(mutex)
            case .queued, .taken:
                pthread_mutex_unlock(mutex)
                // A wake-up may be stale (woken to lead, but another thread took this item into its batch
                // first): the state, read again under the mutex, decides.
                waiter.wait()
                pthread_mutex_lock(mutex)
            }
        }
    }

    /// For a database that cannot run the batch statements at all: items submitted from now on are written singly,
    /// concurrently, without queueing; items already queued are still written in batches (whose failure sends
    /// them to the single path as well).
    public func stopBatching() {
        pthread_mutex_lock(mutex)
        batching = false
        pthread_mutex_unlock(mutex)
    }

    /// Signals sent to waiting threads so far (tests).
    var signalsSent: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return signals
    }

    /// Items queued and not yet taken into a batch (tests).
    var queuedCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return queue.count
    }

    // MARK: - Under the mutex

    /// The oldest queued waiters, at most `maximumBatch`, marked taken; the caller now leads.
    private func takeBatch() -> ArraySlice<Waiter> {
        writers += 1
        let members = queue.prefix(maximumBatch)
        queue.removeFirst(members.count)
        for member in members { member.state = .taken }
        return members
    }

    /// Ends the leader's turn. If its own item is still queued (the queue was longer than a batch), it leads again
    /// at once; otherwise the oldest waiter, returned, is to be woken to lead the next batch.
    private func finishBatch(leader: Waiter) -> Waiter? {
        writers -= 1
        if case .queued = leader.state { return nil }
        return queue.first
    }

    private enum State {
        case queued
        case taken
        case done(Outcome)
        case writeSingly
    }

    /// One submitted item and the semaphore its thread waits on; `state` is touched only under the mutex.
    private final class Waiter {
        let item: Item
        var state: State = .queued
        private let semaphore: UnsafeMutablePointer<sem_t>

        init(item: Item) {
            self.item = item
            semaphore = .allocate(capacity: 1)
            sem_init(semaphore, 0, 0)
        }

        deinit {
            sem_destroy(semaphore)
            semaphore.deallocate()
        }

        func wait() {
            while sem_wait(semaphore) != 0 {}   // EINTR
        }

        func wake() {
            sem_post(semaphore)
        }
    }
}
