@testable import FastCGI
import Testing

/// Crash-restart bookkeeping: immediate restart after a long life, a growing delay for workers that die young.
@Suite struct WorkerSlotTests {
    @Test func workerThatRanLongerThanASecondRestartsAtOnce() {
        var slot = WorkerSlot()
        slot.started(42, at: 10_000)
        slot.ready = true
        slot.exited(at: 20_000)
        #expect(slot.pid == 0 && !slot.ready)
        #expect(slot.isDueForRestart(at: 20_000))
    }

    @Test func quickDeathsBackOffUpToFiveSeconds() {
        var slot = WorkerSlot()
        var now: Int64 = 0
        var delays: [Int64] = []
        for _ in 0..<7 {
            slot.started(42, at: now)
            now += 10
            slot.exited(at: now)
            delays.append((slot.restartAt ?? now) - now)
            now = slot.restartAt ?? now
        }
        #expect(delays == [500, 1000, 2000, 4000, 5000, 5000, 5000])
        #expect(!slot.isDueForRestart(at: now - 1))
        #expect(slot.isDueForRestart(at: now))
    }

    @Test func startingClearsTheSchedule() {
        var slot = WorkerSlot()
        slot.exited(at: 0)
        slot.started(7, at: 100)
        #expect(slot.pid == 7 && slot.restartAt == nil && !slot.ready)
        #expect(!slot.isDueForRestart(at: 100_000))
    }
}
