import CFastCGI
import CPosix
import Glibc
import Logging

/// One worker process: `threadCount` threads accepting on the listening socket at fd 0 with
/// `FCGX_Accept_r`, each with its own responder. SIGTERM/SIGINT stop accepting, let in-flight requests
/// finish (bounded by `drainTimeoutMilliseconds`) and exit 0. The worker also drains when its supervisor dies.
public struct WorkerPool: Sendable {
    public var threadCount: Int
    public var drainTimeoutMilliseconds: Int
    public var logger: Logger

    public init(threadCount: Int, drainTimeoutMilliseconds: Int = 10_000, logger: Logger) {
        self.threadCount = threadCount
        self.drainTimeoutMilliseconds = drainTimeoutMilliseconds
        self.logger = logger
    }

    /// Runs until drained; never returns.
    public func run(makeResponder: @escaping @Sendable (_ threadIndex: Int) -> any FastCGIResponder) -> Never {
        Signals.blockHandled()
        Signals.installWakeUpHandler()
        let parent = getppid()
        _ = cposix_set_parent_death_signal(SIGTERM)
        guard FCGX_Init() == 0 else {
            logger.critical("FCGX_Init failed")
            exit(70)
        }
        let slots = (0..<threadCount).map { _ in AcceptorSlot() }
        for (index, slot) in slots.enumerated() {
            slot.thread = PosixThread.start { [slot] in
                slot.run(responder: makeResponder(index))
            }
        }
        logger.info("worker ready", metadata: ["threads": "\(threadCount)"])

        while true {
            if let signal = Signals.wait(for: [SIGTERM, SIGINT], milliseconds: 500) {
                logger.info("worker draining", metadata: ["signal": "\(signal)"])
                break
            }
            if getppid() != parent {
                logger.warning("supervisor gone, worker draining")
                break
            }
        }

        // Stop accepting in this process only: the listening socket is shared with sibling workers,
        // so it is not shut down. Idle acceptors are interrupted by a signal instead; libfcgi gives up
        // accepting once shutdown is pending. The signal is repeated because one that lands just before
        // accept() is entered would be lost.
        FCGX_ShutdownPending()
        for slot in slots { slot.stopAccepting() }
        let deadline = MonotonicClock.milliseconds() + Int64(drainTimeoutMilliseconds)
        while true {
            let running = slots.filter { !$0.isFinished }
            if running.isEmpty { break }
            if MonotonicClock.milliseconds() >= deadline {
                logger.warning("drain timeout", metadata: ["busy_threads": "\(running.filter(\.isBusy).count)"])
                break
            }
            for slot in running where !slot.isBusy { slot.interrupt() }
            usleep(5_000)
        }
        logger.info("worker stopped")
        exit(0)
    }
}

/// One acceptor thread's state, shared with the draining main thread.
final class AcceptorSlot: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var busy = false
    private var finished = false
    private var stopping = false
    var thread: PosixThread?

    init() { pthread_mutex_init(&mutex, nil) }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    var isBusy: Bool { locked { busy } }
    var isFinished: Bool { locked { finished } }
    func stopAccepting() { locked { stopping = true } }
    func interrupt() { thread?.signal(Signals.wakeUp) }

    func run(responder: any FastCGIResponder) {
        let record = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        record.initialize(to: FCGX_Request())
        defer { locked { finished = true } }
        guard FCGX_InitRequest(record, 0, 0) == 0 else { return }
        while FCGX_Accept_r(record) >= 0 {
            locked { busy = true }
            let request = FastCGIRequest(record: record)
            responder.respond(to: request)
            FCGX_Finish_r(record)
            let stop = locked { busy = false; return stopping }
            if stop { break }
        }
        FCGX_Free(record, 1)
    }
}
