import Metrics

/// The FastCGI layer's metrics (names in README.md, "Metrics"). Created on first use, which is after the
/// executable bootstrapped the metrics backend.
enum PoolMetrics {
    static let workerRestarts = Counter(label: "fusio_auth_worker_restarts_total")
    /// 1 in each ready worker: summed in a scrape, it is the number of workers whose figures the scrape holds.
    static let workerProcesses = Gauge(label: "fusio_auth_worker_processes")

    static func queueWait(_ lane: FastCGILane) -> Timer {
        lane == .standard ? standardQueueWait : passwordQueueWait
    }

    static func busyThreads(_ lane: FastCGILane) -> Meter {
        lane == .standard ? standardBusy : passwordBusy
    }

    private static let standardQueueWait = Timer(label: "fusio_auth_queue_wait_seconds", dimensions: [("lane", "standard")])
    private static let passwordQueueWait = Timer(label: "fusio_auth_queue_wait_seconds", dimensions: [("lane", "password")])
    private static let standardBusy = Meter(label: "fusio_auth_lane_busy_threads", dimensions: [("lane", "standard")])
    private static let passwordBusy = Meter(label: "fusio_auth_lane_busy_threads", dimensions: [("lane", "password")])
}
