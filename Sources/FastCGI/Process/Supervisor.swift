import CPosix
import Glibc
import Logging

/// Owns the listening socket and keeps `workerCount` worker processes alive. Workers are fresh executions of
/// `workerExecutable` with `workerArguments`, the listening socket as fd 0 (as spawn-fcgi does it), the
/// readiness pipe as fd 3 (WorkerReadiness) and the connection handover pair as fds 4 and 5 (ConnectionHandover).
/// * A worker that dies is replaced (with a growing delay if it keeps dying right after start).
/// * SIGHUP reloads: `validateConfiguration` checks the configuration the new workers will read; if it fails,
///   the reload is refused with a log line and the old workers keep serving. Otherwise each slot gets a new
///   worker, and its old worker is retired (Signals.retire: it stops accepting, finishes what it holds and hands
///   its kept connections to the live workers) only once the new one is ready (ReloadPlan).
/// * SIGTERM/SIGINT are forwarded to the workers, which drain; the supervisor exits 0 when they are gone.
/// * systemd hears READY=1 when every worker is ready, RELOADING=1 … READY=1 around a reload, STOPPING=1.
public struct Supervisor: Sendable {
    public var socket: ListeningSocket
    public var workerCount: Int
    public var workerExecutable: String
    public var workerArguments: [String]
    public var drainTimeoutMilliseconds: Int
    public var notifier: ServiceNotifier
    /// nil when the configuration is fine, else the reason (one line, no secrets) to refuse a reload.
    public var validateConfiguration: @Sendable () -> String?
    public var logger: Logger
    /// Set by `serve --metrics`: each worker then gets a metrics socketpair end (see `WorkerMetricsChannel`).
    public var metricsChannels: WorkerMetricsChannels? = nil

    public init(socket: ListeningSocket, workerCount: Int, workerExecutable: String, workerArguments: [String],
                drainTimeoutMilliseconds: Int = 10_000, notifier: ServiceNotifier = ServiceNotifier.fromEnvironment(),
                validateConfiguration: @escaping @Sendable () -> String? = { nil }, logger: Logger) {
        self.socket = socket
        self.workerCount = workerCount
        self.workerExecutable = workerExecutable
        self.workerArguments = workerArguments
        self.drainTimeoutMilliseconds = drainTimeoutMilliseconds
        self.notifier = notifier
        self.validateConfiguration = validateConfiguration
        self.logger = logger
    }

    /// The supervisor's mutable state while it runs.
    private struct Pool {
        var slots: [WorkerSlot]
        /// Old workers retired by a reload, and successors given up: reaped, never restarted.
        var retiring: Set<pid_t> = []
        var reload: ReloadPlan?
        /// A SIGHUP during a reload: the .env may have changed after the new workers read it, so another follows.
        var reloadRequested = false
        var announcedReady = false
        let readiness: (read: Int32, write: Int32)
        let handover: (receive: Int32, send: Int32)
    }

    public func run() -> Never {
        Signals.blockHandled()
        var mask = Signals.set([SIGTERM, SIGINT, SIGCHLD, SIGHUP])
        let signalFD = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        precondition(signalFD >= 0, "signalfd failed")
        var pool = Pool(slots: [WorkerSlot](repeating: WorkerSlot(), count: workerCount),
                        readiness: WorkerReadiness.makePipe(), handover: ConnectionHandover.makePair())
        for index in pool.slots.indices { start(&pool, slot: index) }
        logger.info("supervisor started", metadata: ["workers": "\(workerCount)", "pid": "\(getpid())"])

        while true {
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: pool.readiness.read, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, 250)
            for signal in Self.readSignals(signalFD) {
                switch signal {
                case SIGTERM, SIGINT: drain(&pool, signal: signal)
                case SIGHUP: pool.reloadRequested = true
                default: break   // SIGCHLD: reaped below, as after every wake-up
                }
            }
            for pid in WorkerReadiness.collect(from: pool.readiness.read) { workerReady(&pool, pid: pid) }
            reap(&pool)
            let now = MonotonicClock.milliseconds()
            for index in pool.slots.indices where pool.slots[index].isDueForRestart(at: now) { start(&pool, slot: index) }
            if pool.reloadRequested && pool.reload == nil {
                pool.reloadRequested = false
                beginReload(&pool)
            }
            advanceReload(&pool, now: now)
            if !pool.announcedReady && pool.reload == nil && pool.slots.allSatisfy(\.ready) {
                pool.announcedReady = true
                logger.info("supervisor ready", metadata: ["workers": "\(workerCount)"])
                notifier.ready()
            }
        }
    }

    private func start(_ pool: inout Pool, slot index: Int) {
        guard let pid = spawnWorker(pool) else {
            pool.slots[index].restartAt = MonotonicClock.milliseconds() + 1000
            return
        }
        pool.slots[index].started(pid, at: MonotonicClock.milliseconds())
        logger.info("worker started", metadata: ["pid": "\(pid)"])
    }

    private func workerReady(_ pool: inout Pool, pid: pid_t) {
        if let successor = pool.reload?.successor, successor.pid == pid {
            let old = pool.slots[successor.slot].pid
            if old > 0 {
                kill(old, Signals.retire)
                pool.retiring.insert(old)
            }
            pool.slots[successor.slot].started(pid, at: successor.startedAt)
            pool.slots[successor.slot].ready = true
            pool.reload?.successor = nil
            logger.info("worker replaced", metadata: ["old_pid": "\(old)", "pid": "\(pid)"])
        } else if let index = pool.slots.firstIndex(where: { $0.pid == pid }) {
            pool.slots[index].ready = true
        }
    }

    // MARK: reloading

    private func beginReload(_ pool: inout Pool) {
        notifier.reloading()
        if let problem = validateConfiguration() {
            logger.error("reload refused, old workers keep serving", metadata: ["reason": "\(problem)"])
            notifier.ready()
            return
        }
        logger.info("reloading", metadata: ["workers": "\(workerCount)"])
        pool.reload = ReloadPlan(slots: pool.slots.indices)
    }

    private func advanceReload(_ pool: inout Pool, now: Int64) {
        guard var plan = pool.reload else { return }
        if plan.successorTimedOut(at: now), let successor = plan.successor {
            logger.error("reload aborted: new worker not ready in time", metadata: ["pid": "\(successor.pid)"])
            kill(successor.pid, SIGTERM)
            pool.retiring.insert(successor.pid)
            finishReload(&pool, outcome: "aborted")
            return
        }
        // A slot whose worker is down restarts with the new configuration anyway; only live ones are replaced.
        while let index = plan.nextSlot() {
            guard pool.slots[index].pid > 0 else { continue }
            guard let pid = spawnWorker(pool) else {
                logger.error("reload aborted: cannot start a new worker")
                finishReload(&pool, outcome: "aborted")
                return
            }
            logger.info("worker started", metadata: ["pid": "\(pid)", "replacing": "\(pool.slots[index].pid)"])
            plan.successor = .init(slot: index, pid: pid, startedAt: now)
            break
        }
        pool.reload = plan
        if plan.isFinished { finishReload(&pool, outcome: "complete") }
    }

    private func finishReload(_ pool: inout Pool, outcome: String) {
        pool.reload = nil
        logger.info("reload \(outcome)")
        notifier.ready()
    }

    // MARK: exits

    /// Collects every exited process: a slot's worker is scheduled for restart, a retiring one is forgotten,
    /// a reload's successor that died aborts the reload.
    private func reap(_ pool: inout Pool) {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { break }
            metricsChannels?.detach(pid)
            if pool.retiring.remove(pid) != nil {
                logger.info("old worker stopped", metadata: ["pid": "\(pid)", "status": "\(Self.describe(status))"])
            } else if let successor = pool.reload?.successor, successor.pid == pid {
                logger.error("reload aborted: new worker exited", metadata: ["pid": "\(pid)", "status": "\(Self.describe(status))"])
                finishReload(&pool, outcome: "aborted")
            } else if let index = pool.slots.firstIndex(where: { $0.pid == pid }) {
                logger.warning("worker exited", metadata: ["pid": "\(pid)", "status": "\(Self.describe(status))"])
                PoolMetrics.workerRestarts.increment()
                pool.slots[index].exited(at: MonotonicClock.milliseconds())
            }
        }
    }

    private func drain(_ pool: inout Pool, signal: Int32) -> Never {
        notifier.stopping()
        logger.info("supervisor stopping", metadata: ["signal": "\(signal)"])
        var alive = Set(pool.slots.map(\.pid).filter { $0 > 0 }).union(pool.retiring)
        if let successor = pool.reload?.successor { alive.insert(successor.pid) }
        for pid in alive { kill(pid, SIGTERM) }
        // Workers get their own drain budget plus a margin for the connection teardown.
        let deadline = MonotonicClock.milliseconds() + Int64(drainTimeoutMilliseconds) + 2000
        while !alive.isEmpty && MonotonicClock.milliseconds() < deadline {
            _ = Signals.wait(for: [SIGCHLD], milliseconds: 100)
            while true {
                var status: Int32 = 0
                let pid = waitpid(-1, &status, WNOHANG)
                guard pid > 0 else { break }
                alive.remove(pid)
            }
        }
        for pid in alive {
            logger.warning("worker did not stop in time, killing", metadata: ["pid": "\(pid)"])
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        socket.removeCreatedPath()
        logger.info("supervisor stopped")
        exit(0)
    }

    private static func readSignals(_ fd: Int32) -> [Int32] {
        var signals: [Int32] = []
        var info = signalfd_siginfo()
        while read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            signals.append(Int32(info.ssi_signo))
        }
        return signals
    }

    private func spawnWorker(_ pool: Pool) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Order matters: a socket from systemd is fd 3 itself, so it moves to 0 before the pipe takes 3.
        if socket.fileDescriptor != 0 {
            posix_spawn_file_actions_adddup2(&actions, socket.fileDescriptor, 0)
            posix_spawn_file_actions_addclose(&actions, socket.fileDescriptor)
        }
        posix_spawn_file_actions_adddup2(&actions, pool.readiness.write, WorkerReadiness.descriptor)
        posix_spawn_file_actions_adddup2(&actions, pool.handover.receive, ConnectionHandover.receiveDescriptor)
        posix_spawn_file_actions_adddup2(&actions, pool.handover.send, ConnectionHandover.sendDescriptor)
        // Last: its ends are kept above every descriptor the lines before write to (WorkerMetricsChannels).
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
            logger.error("cannot start worker", metadata: ["error": "\(String(cString: strerror(rc)))"])
            if let (supervisorEnd, _) = metricsPair { close(supervisorEnd) }
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
