import CPosix
import Glibc
import Logging

/// One worker process: an event loop that owns the listening socket (fd 0) and every connection, and two lanes
/// of threads that run complete requests — `threadCount` for everything, `passwordThreadCount` (at a lower
/// priority) for requests that check a password. Each thread has its own responder. SIGTERM/SIGINT (or the
/// supervisor's death) stop accepting, let queued and running requests finish (bounded by the drain timeout),
/// and exit 0; Signals.retire (a reload) does the same but hands idle kept connections to the live workers.
public struct WorkerPool: Sendable {
    public struct Configuration: Sendable {
        public var threadCount: Int
        public var passwordThreadCount: Int
        /// A request that waited longer than this in its queue gets 503 with Retry-After instead of being run.
        public var queueTimeoutMilliseconds: Int
        public var drainTimeoutMilliseconds: Int
        public var standardQueueCapacity: Int
        public var passwordQueueCapacity: Int
        public var limits: FastCGILimits

        public init(threadCount: Int, passwordThreadCount: Int, queueTimeoutMilliseconds: Int = 2000,
                    drainTimeoutMilliseconds: Int = 10_000, standardQueueCapacity: Int = 4096,
                    passwordQueueCapacity: Int = 512, limits: FastCGILimits = FastCGILimits()) {
            self.threadCount = threadCount
            self.passwordThreadCount = passwordThreadCount
            self.queueTimeoutMilliseconds = queueTimeoutMilliseconds
            self.drainTimeoutMilliseconds = drainTimeoutMilliseconds
            self.standardQueueCapacity = standardQueueCapacity
            self.passwordQueueCapacity = passwordQueueCapacity
            self.limits = limits
        }
    }

    /// bcrypt threads run this much nicer than the rest, so cheap requests win the CPU during a login storm.
    static let passwordLaneNice: Int32 = 5

    public var configuration: Configuration
    public var logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until drained; never returns.
    public func run(makeResponder: @escaping @Sendable (_ lane: FastCGILane, _ threadIndex: Int) -> any FastCGIResponder,
                    classify: @escaping @Sendable (FastCGIRequest) -> FastCGILane,
                    overloaded: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse) -> Never {
        Signals.blockHandled()
        _ = cposix_set_parent_death_signal(SIGTERM)
        var limits = configuration.limits
        limits.maximumConnections = Self.raiseDescriptorLimit(reserve: 64 + configuration.threadCount + configuration.passwordThreadCount)
        limits.maximumRequests = configuration.standardQueueCapacity + configuration.passwordQueueCapacity
            + configuration.threadCount + configuration.passwordThreadCount

        let lanes = WorkerLanes(standardCapacity: configuration.standardQueueCapacity,
                                passwordCapacity: configuration.passwordQueueCapacity,
                                queueTimeoutMilliseconds: Int64(configuration.queueTimeoutMilliseconds),
                                overloaded: overloaded)
        for index in 0..<configuration.threadCount {
            _ = PosixThread.start { lanes.serve(.standard, with: makeResponder(.standard, index)) }
        }
        for index in 0..<configuration.passwordThreadCount {
            _ = PosixThread.start {
                _ = cposix_set_thread_nice(Self.passwordLaneNice)
                lanes.serve(.password, with: makeResponder(.password, index))
            }
        }
        let loop = EventLoop(
            listenFD: 0, signals: [SIGTERM, SIGINT, Signals.retire], lanes: lanes, handover: ConnectionHandover.inherited(),
            configuration: .init(limits: limits, queueTimeoutMilliseconds: Int64(configuration.queueTimeoutMilliseconds),
                                 drainTimeoutMilliseconds: Int64(configuration.drainTimeoutMilliseconds),
                                 classify: classify, overloaded: overloaded),
            logger: logger)
        PoolMetrics.workerProcesses.record(1)
        logger.info("worker ready", metadata: [
            "threads": "\(configuration.threadCount)", "password_threads": "\(configuration.passwordThreadCount)",
            "max_connections": "\(limits.maximumConnections)",
        ])
        WorkerReadiness.report()
        loop.run()
        lanes.standard.close()
        lanes.password.close()
        logger.info("worker stopped")
        exit(0)
    }

    /// Raises the soft descriptor limit to the hard one (kept connections are file descriptors) and returns how
    /// many connections that leaves after `reserve` descriptors for the database, logs and the loop itself.
    static func raiseDescriptorLimit(reserve: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 - reserve }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return max(16, Int(min(limit.rlim_cur, 1 << 20)) - reserve)
    }
}
