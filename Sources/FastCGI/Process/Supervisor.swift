import CPosix
import Glibc
import Logging

/// Owns the listening socket and keeps `workerCount` worker processes alive. Workers are fresh executions of
/// `workerExecutable` with `workerArguments` and the listening socket as fd 0 (as spawn-fcgi does it).
/// A worker that dies is replaced (with a growing delay if it keeps dying right after start); SIGTERM/SIGINT
/// are forwarded to the workers, which drain; the supervisor exits 0 when they are gone.
public struct Supervisor: Sendable {
    public var socket: ListeningSocket
    public var workerCount: Int
    public var workerExecutable: String
    public var workerArguments: [String]
    public var drainTimeoutMilliseconds: Int
    public var logger: Logger
    /// Set by `serve --metrics`: each worker then gets a metrics socketpair end as fd 3 (see `MetricsServer`).
    public var metricsChannels: WorkerMetricsChannels? = nil

    public init(socket: ListeningSocket, workerCount: Int, workerExecutable: String, workerArguments: [String],
                drainTimeoutMilliseconds: Int = 10_000, logger: Logger) {
        self.socket = socket
        self.workerCount = workerCount
        self.workerExecutable = workerExecutable
        self.workerArguments = workerArguments
        self.drainTimeoutMilliseconds = drainTimeoutMilliseconds
        self.logger = logger
    }

    private struct Slot {
        var pid: pid_t = 0
        var startedAt: Int64 = 0
        var quickDeaths = 0
        var restartAt: Int64? = nil
    }

    public func run() -> Never {
        Signals.blockHandled()
        var slots = [Slot](repeating: Slot(), count: workerCount)
        for index in slots.indices { start(&slots[index]) }
        logger.info("supervisor ready", metadata: ["workers": "\(workerCount)", "pid": "\(getpid())"])

        while true {
            let signal = Signals.wait(for: [SIGTERM, SIGINT, SIGCHLD, SIGHUP], milliseconds: 250)
            switch signal {
            case SIGTERM, SIGINT:
                drain(&slots, signal: signal!)
            default:
                reap(&slots)
                let now = MonotonicClock.milliseconds()
                for index in slots.indices where slots[index].pid == 0 {
                    if let at = slots[index].restartAt, at > now { continue }
                    start(&slots[index])
                }
            }
        }
    }

    private func start(_ slot: inout Slot) {
        slot.restartAt = nil
        guard let pid = spawnWorker() else {
            slot.restartAt = MonotonicClock.milliseconds() + 1000
            return
        }
        slot.pid = pid
        slot.startedAt = MonotonicClock.milliseconds()
        logger.info("worker started", metadata: ["pid": "\(pid)"])
    }

    /// Collects every exited worker and schedules its replacement.
    private func reap(_ slots: inout [Slot]) {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let index = slots.firstIndex(where: { $0.pid == pid }) else { continue }
            let now = MonotonicClock.milliseconds()
            logger.warning("worker exited", metadata: ["pid": "\(pid)", "status": "\(Self.describe(status))"])
            slots[index].pid = 0
            metricsChannels?.detach(pid)
            PoolMetrics.workerRestarts.increment()
            // A worker that dies within a second of starting is likely to die again (bad config, database
            // refusing logins): back off up to 5 s instead of spinning.
            slots[index].quickDeaths = now - slots[index].startedAt < 1000 ? slots[index].quickDeaths + 1 : 0
            let delay = min(5000, slots[index].quickDeaths == 0 ? 0 : 250 << min(slots[index].quickDeaths, 5))
            slots[index].restartAt = now + Int64(delay)
        }
    }

    private func drain(_ slots: inout [Slot], signal: Int32) -> Never {
        logger.info("supervisor stopping", metadata: ["signal": "\(signal)"])
        for slot in slots where slot.pid > 0 { kill(slot.pid, SIGTERM) }
        // Workers get their own drain budget plus a margin for libfcgi's connection teardown.
        let deadline = MonotonicClock.milliseconds() + Int64(drainTimeoutMilliseconds) + 2000
        while slots.contains(where: { $0.pid > 0 }) && MonotonicClock.milliseconds() < deadline {
            _ = Signals.wait(for: [SIGCHLD], milliseconds: 100)
            while true {
                var status: Int32 = 0
                let pid = waitpid(-1, &status, WNOHANG)
                guard pid > 0 else { break }
                if let index = slots.firstIndex(where: { $0.pid == pid }) { slots[index].pid = 0 }
            }
        }
        for slot in slots where slot.pid > 0 {
            logger.warning("worker did not stop in time, killing", metadata: ["pid": "\(slot.pid)"])
            kill(slot.pid, SIGKILL)
            var status: Int32 = 0
            waitpid(slot.pid, &status, 0)
        }
        socket.removeCreatedPath()
        logger.info("supervisor stopped")
        exit(0)
    }

    private func spawnWorker() -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if socket.fileDescriptor != 0 {
            posix_spawn_file_actions_adddup2(&actions, socket.fileDescriptor, 0)
            posix_spawn_file_actions_addclose(&actions, socket.fileDescriptor)
        }
        let metricsPair = metricsChannels?.makePair()
        if let (_, workerEnd) = metricsPair {
            posix_spawn_file_actions_adddup2(&actions, workerEnd, WorkerMetricsChannel.fileDescriptor)
        }
        defer { if let (_, workerEnd) = metricsPair { close(workerEnd) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = Signals.set(Signals.handled + [SIGPIPE])
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([workerExecutable] + workerArguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = (argv + [nil]).withUnsafeBufferPointer { args in
            posix_spawn(&pid, workerExecutable, &actions, &attributes, args.baseAddress!, cposix_environ())
        }
        guard rc == 0 else {
            if let (supervisorEnd, _) = metricsPair { close(supervisorEnd) }
            logger.error("cannot start worker", metadata: ["error": "\(String(cString: strerror(rc)))"])
            return nil
        }
        if let (supervisorEnd, _) = metricsPair { metricsChannels?.attach(supervisorEnd, to: pid) }
        return pid
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit \((status >> 8) & 0xff)" }
        return "signal \(signal)"
    }
}
