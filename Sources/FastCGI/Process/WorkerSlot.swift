import Glibc

/// One place in the pool: the worker process currently holding it and how its recent restarts went.
struct WorkerSlot {
    var pid: pid_t = 0
    var startedAt: Int64 = 0
    /// Set when the worker reported readiness (WorkerReadiness); the pool is ready when every slot is.
    var ready = false
    var quickDeaths = 0
    var restartAt: Int64? = nil

    mutating func started(_ pid: pid_t, at now: Int64) {
        self.pid = pid
        startedAt = now
        ready = false
        restartAt = nil
    }

    /// Records the worker's exit and schedules its replacement. A worker that dies within a second of
    /// starting is likely to die again (bad config, database refusing logins): back off up to 5 s instead
    /// of spinning.
    mutating func exited(at now: Int64) {
        pid = 0
        ready = false
        quickDeaths = now - startedAt < 1000 ? quickDeaths + 1 : 0
        let delay = min(5000, quickDeaths == 0 ? 0 : 250 << min(quickDeaths, 5))
        restartAt = now + Int64(delay)
    }

    func isDueForRestart(at now: Int64) -> Bool {
        pid == 0 && (restartAt ?? now) <= now
    }
}
