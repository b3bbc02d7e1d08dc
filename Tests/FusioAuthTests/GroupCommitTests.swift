import Glibc
import Synchronization
import Testing

@testable import FusioAuth

/// The leader/follower hand-off of `GroupCommit`, with real threads and no database. Each scenario is made
/// deterministic by holding the first leader (item 0, a batch of one) inside its write (a gate the test opens) until the other threads
/// have queued, one at a time, in a known order.
@Suite struct GroupCommitTests {
    @Test func aLoneItemIsWrittenAtOnceAsABatchOfOne() {
        let harness = GroupCommitHarness(maximumBatch: 8)
        let commit = harness.commit
        let outcome = commit.submit(8, batch: { items in items.map { "batch \($0)" } },
                                    single: { (item) throws(Never) in "single \(item)" })
        #expect(outcome == "batch 8")
        #expect(harness.batches.entries.withLock { $0 } == [.init(size: 1, fellBack: false)])
        #expect(commit.signalsSent == 0)
    }

    @Test func followersQueuedDuringAWriteGoInOneBatchInArrivalOrderEachWithItsOwnOutcome() {
        let harness = GroupCommitHarness(maximumBatch: 8)
        let results = harness.run(followers: 5)
        #expect(harness.writes.withLock { $0 } == [.batch([0]), .batch([1, 2, 3, 4, 5])])
        #expect(results[0] == .success("written 0"))
        for item in 1...5 {
            #expect(results[item] == .success(item % 2 == 0 ? "written \(item)" : "inactive \(item)"))
        }
        // Item 1 was woken once to lead, items 2…5 once each with their outcome; nobody was woken twice.
        #expect(harness.commit.signalsSent == 5)
        #expect(harness.batches.entries.withLock { $0 } == [.init(size: 1, fellBack: false), .init(size: 5, fellBack: false)])
    }

    @Test func aLeaderTakesAtMostTheBatchBoundAndTheRestFollowInOrder() {
        let harness = GroupCommitHarness(maximumBatch: 3)
        let results = harness.run(followers: 7)
        #expect(harness.writes.withLock { $0 } == [.batch([0]), .batch([1, 2, 3]), .batch([4, 5, 6]), .batch([7])])
        #expect(results.count == 8)
        #expect(results[7] == .success("inactive 7"))
        #expect(results[6] == .success("written 6"))
        // 1 to lead, 2 and 3 with outcomes, 4 to lead, 5 and 6 with outcomes, 7 to lead (a batch of one): seven.
        #expect(harness.commit.signalsSent == 7)
    }

    @Test func aFailedBatchSendsEveryMemberToItsOwnSingleWriteAndOneFailureStaysItsOwn() {
        let harness = GroupCommitHarness(maximumBatch: 8, failingBatchItems: [3], failingSingleItems: [2])
        let results = harness.run(followers: 4)
        let writes = harness.writes.withLock { $0 }
        #expect(writes.prefix(2) == [.batch([0]), .batch([1, 2, 3, 4])])
        // After the batch failed, each member wrote its own item once, on its own thread (in any order).
        #expect(Set(writes.dropFirst(2).map { "\($0)" }) == Set((1...4).map { "\(GroupCommitWrite.single($0))" }))
        #expect(writes.count == 6)
        #expect(results[1] == .success("single 1"))
        #expect(results[2] == .failure(GroupCommitFailure()))
        #expect(results[3] == .success("single 3"))
        #expect(results[4] == .success("single 4"))
        #expect(harness.batches.entries.withLock { $0 }.contains(.init(size: 4, fellBack: true)))
    }

    @Test func aBatchWithTheWrongNumberOfOutcomesFallsBackToo() {
        let commit = GroupCommit<Int, String>(maximumBatch: 4)
        let gate = TestGate()
        let results = Mutex<[Int: String]>([:])
        let leader = TestThread(run: {
            let outcome = commit.submit(0, batch: { items in
                gate.wait()
                return items.map { "batch \($0)" }
            }, single: { (item) throws(Never) in "single \(item)" })
            results.withLock { $0[0] = outcome }
        })
        gate.awaitArrival()
        var followers: [TestThread] = []
        for item in 1...2 {
            followers.append(TestThread(run: {
                let outcome = commit.submit(item, batch: { _ in ["only one"] },
                                            single: { (item) throws(Never) in "single \(item)" })
                results.withLock { $0[item] = outcome }
            }))
            while commit.queuedCount < item { sched_yield() }
        }
        gate.open()
        leader.join()
        for follower in followers { follower.join() }
        #expect(results.withLock { $0 } == [0: "batch 0", 1: "single 1", 2: "single 2"])
    }

    @Test func afterStopBatchingItemsAreWrittenSinglyWithoutQueueing() {
        let commit = GroupCommit<Int, String>(maximumBatch: 4)
        commit.stopBatching()
        let outcome = commit.submit(1, batch: { _ in Issue.record("no batch"); return [] },
                                    single: { (item) throws(Never) in "single \(item)" })
        #expect(outcome == "single 1")
        #expect(commit.queuedCount == 0)
    }

    @Test func manyThreadsEachGetTheirOwnOutcomeExactlyOnce() {
        let commit = GroupCommit<Int, Int>(maximumBatch: 4)
        let seen = Mutex<[Int]>([])
        let largest = Mutex(0)
        let results = Mutex<[Int: Int]>([:])
        let threads = (0..<64).map { item in
            TestThread(run: {
                let outcome = commit.submit(item, batch: { items in
                    largest.withLock { $0 = max($0, items.count) }
                    seen.withLock { $0.append(contentsOf: items) }
                    return items.map { $0 * 10 }
                }, single: { (item) throws(Never) in
                    seen.withLock { $0.append(item) }
                    return item * 10
                })
                results.withLock { $0[item] = outcome }
            })
        }
        for thread in threads { thread.join() }
        #expect(seen.withLock { $0 }.sorted() == Array(0..<64))
        #expect(largest.withLock { $0 } <= 4)
        #expect(results.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0..<64).map { ($0, $0 * 10) }))
    }
}

/// A one-shot gate: the thread that arrives waits until the test opens it; the test can wait for the arrival.
final class TestGate: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var arrived = false
    private var isOpen = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        changed.deallocate()
    }

    func wait() {
        pthread_mutex_lock(mutex)
        arrived = true
        pthread_cond_broadcast(changed)
        while !isOpen { pthread_cond_wait(changed, mutex) }
        pthread_mutex_unlock(mutex)
    }

    func awaitArrival() {
        pthread_mutex_lock(mutex)
        while !arrived { pthread_cond_wait(changed, mutex) }
        pthread_mutex_unlock(mutex)
    }

    func open() {
        pthread_mutex_lock(mutex)
        isOpen = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}

/// A POSIX thread running one closure, joined by the test.
final class TestThread: @unchecked Sendable {
    private var handle = pthread_t()

    init(run body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(&handle, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(status == 0, "pthread_create failed")
    }

    func join() {
        pthread_join(handle, nil)
    }

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}

/// What the write closures saw, in order: `single(n)` or `batch([n, …])`.
enum GroupCommitWrite: Equatable, Sendable {
    case single(Int)
    case batch([Int])
}

struct GroupCommitFailure: Error, Equatable {}

/// A group commit whose writes are recorded; the first single write waits at the gate.
final class GroupCommitHarness: Sendable {
    let commit: GroupCommit<Int, String>
    let writes = Mutex<[GroupCommitWrite]>([])
    let batches: Log<GroupCommit<Int, String>.Batch>
    let gate = TestGate()
    /// Items whose batch write throws, and items whose single write throws.
    let failingBatchItems: Set<Int>
    let failingSingleItems: Set<Int>

    init(maximumBatch: Int, failingBatchItems: Set<Int> = [], failingSingleItems: Set<Int> = []) {
        let batches = Log<GroupCommit<Int, String>.Batch>()
        self.batches = batches
        commit = GroupCommit(maximumBatch: maximumBatch) { batch in batches.entries.withLock { $0.append(batch) } }
        self.failingBatchItems = failingBatchItems
        self.failingSingleItems = failingSingleItems
    }

    func submit(_ item: Int) -> Result<String, GroupCommitFailure> {
        Result { () throws(GroupCommitFailure) in
            try commit.submit(item, batch: { items in
                writes.withLock { $0.append(.batch(items)) }
                if items == [0] { gate.wait() }
                if !failingBatchItems.isDisjoint(with: items) { throw GroupCommitFailure() }
                // Odd items are "inactive": the batch answers per item, as the store does.
                return items.map { $0 % 2 == 0 ? "written \($0)" : "inactive \($0)" }
            }, single: { (item) throws(GroupCommitFailure) -> String in
                writes.withLock { $0.append(.single(item)) }
                if failingSingleItems.contains(item) { throw GroupCommitFailure() }
                return "single \(item)"
            })
        }
    }

    /// Starts item 0 as the lone leader (held at the gate), then items 1…count, each queued before the next
    /// starts; opens the gate and returns every item's outcome.
    func run(followers count: Int) -> [Int: Result<String, GroupCommitFailure>] {
        let results = Mutex<[Int: Result<String, GroupCommitFailure>]>([:])
        var threads = [TestThread(run: { let r = self.submit(0); results.withLock { $0[0] = r } })]
        gate.awaitArrival()
        for item in 1...count {
            threads.append(TestThread(run: { let r = self.submit(item); results.withLock { $0[item] = r } }))
            while commit.queuedCount < item { sched_yield() }   // waits for the state, not for time
        }
        gate.open()
        for thread in threads { thread.join() }
        return results.withLock { $0 }
    }
}

/// A list several threads append to.
final class Log<Entry: Sendable>: Sendable {
    let entries = Mutex<[Entry]>([])
}

/// Which tokens of a batch may be written, from the rows its locking read returned.
@Suite struct ActivePrincipalsTests {
    @Test func aTokenNeedsAnActiveUserAndAnActiveAppIfItHasOne() {
        var active = ActivePrincipals()
        active.record(isApp: false, id: 2, status: 1)
        active.record(isApp: false, id: 3, status: 0)
        active.record(isApp: true, id: 2, status: 1)
        active.record(isApp: true, id: 5, status: 3)
        #expect(active.admit(userID: 2, appID: 2))
        #expect(active.admit(userID: 2, appID: nil))
        #expect(!active.admit(userID: 2, appID: 5), "deactivated app")
        #expect(!active.admit(userID: 3, appID: 2), "inactive user")
        #expect(!active.admit(userID: 3, appID: nil))
        #expect(!active.admit(userID: 4, appID: nil), "a user the read did not return")
        #expect(!active.admit(userID: 2, appID: 9), "an app the read did not return")
    }
}
