@testable import FastCGI
import Testing

/// The reload's bookkeeping: slots one at a time, never a second successor while one is starting, and a
/// successor that does not come up in time is given up.
@Suite struct ReloadPlanTests {
    @Test func replacesSlotsInOrderOneAtATime() {
        var plan = ReloadPlan(slots: 0..<3)
        #expect(plan.nextSlot() == 0)
        plan.successor = .init(slot: 0, pid: 100, startedAt: 0)
        #expect(plan.nextSlot() == nil, "no second successor while one is starting")
        plan.successor = nil
        #expect(plan.nextSlot() == 1)
        #expect(plan.nextSlot() == 2)
        #expect(plan.isFinished)
    }

    @Test func isNotFinishedWhileASuccessorStarts() {
        var plan = ReloadPlan(slots: 0..<1)
        _ = plan.nextSlot()
        plan.successor = .init(slot: 0, pid: 100, startedAt: 0)
        #expect(!plan.isFinished)
    }

    @Test func successorTimesOutOnlyAfterTheLimit() {
        var plan = ReloadPlan(slots: 0..<1)
        #expect(!plan.successorTimedOut(at: 1_000_000), "no successor, nothing to time out")
        plan.successor = .init(slot: 0, pid: 100, startedAt: 1000)
        #expect(!plan.successorTimedOut(at: 1000 + ReloadPlan.readyTimeoutMilliseconds))
        #expect(plan.successorTimedOut(at: 1001 + ReloadPlan.readyTimeoutMilliseconds))
    }
}
