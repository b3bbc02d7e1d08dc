@testable import FastCGI
import Synchronization
import Testing

@Suite struct RequestQueueTests {
    @Test func firstInFirstOutAcrossTheRingsEnd() {
        let queue = RequestQueue(capacity: 3)
        var popped: [UInt16] = []
        for id in UInt16(1)...10 {
            #expect(queue.push(FastCGIRequest(id: id)))
            if id % 2 == 0 {
                popped.append(queue.pop()!.requestID)
                popped.append(queue.pop()!.requestID)
            }
        }
        #expect(popped == Array(1...10))
        #expect(queue.depth == 0)
    }

    @Test func pushFailsWhenFull() {
        let queue = RequestQueue(capacity: 2)
        #expect(queue.push(FastCGIRequest(id: 1)))
        #expect(queue.push(FastCGIRequest(id: 2)))
        #expect(!queue.push(FastCGIRequest(id: 3)))
        #expect(queue.depth == 2)
        #expect(queue.pop()?.requestID == 1)
        #expect(queue.push(FastCGIRequest(id: 4)))
        #expect(queue.pop()?.requestID == 2)
        #expect(queue.pop()?.requestID == 4)
    }

    @Test func removeExpiredTakesOnlyExpiredHeads() {
        let queue = RequestQueue(capacity: 8)
        for (id, queuedAt) in [(UInt16(1), Int64(10)), (2, 15), (3, 20), (4, 5)] {
            #expect(queue.push(FastCGIRequest(id: id, enqueuedAt: queuedAt)))
        }
        #expect(queue.removeExpired(queuedAtOrBefore: 9).isEmpty)
        #expect(queue.removeExpired(queuedAtOrBefore: 15).map(\.requestID) == [1, 2], "at or before, inclusive")
        #expect(queue.removeExpired(queuedAtOrBefore: 19).isEmpty, "request 4 is old but behind a young head")
        #expect(queue.depth == 2)
        #expect(queue.pop()?.requestID == 3)
        #expect(queue.removeExpired(queuedAtOrBefore: 5).map(\.requestID) == [4])
        #expect(queue.removeExpired(queuedAtOrBefore: .max).isEmpty)
    }

    @Test func closeDrainsThenReturnsNil() {
        let queue = RequestQueue(capacity: 4)
        #expect(queue.push(FastCGIRequest(id: 1)))
        #expect(queue.push(FastCGIRequest(id: 2)))
        queue.close()
        #expect(!queue.push(FastCGIRequest(id: 3)), "a closed queue takes nothing")
        #expect(queue.pop()?.requestID == 1)
        #expect(queue.pop()?.requestID == 2)
        #expect(queue.pop() == nil)
        #expect(queue.pop() == nil)
    }

    @Test func closeWakesAWaitingThread() async {
        let queue = RequestQueue(capacity: 1)
        final class Outcome: Sendable { let value = Atomic<Int>(0) }   // 0 waiting, 1 got nil, 2 got a request
        let outcome = Outcome()
        _ = PosixThread.start { outcome.value.store(queue.pop() == nil ? 1 : 2, ordering: .releasing) }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(outcome.value.load(ordering: .acquiring) == 0, "pop waits while the queue is empty")
        queue.close()
        for _ in 0..<500 where outcome.value.load(ordering: .acquiring) == 0 { try? await Task.sleep(for: .milliseconds(10)) }
        #expect(outcome.value.load(ordering: .acquiring) == 1)
    }
}
