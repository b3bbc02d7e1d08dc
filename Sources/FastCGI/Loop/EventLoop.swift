import CPosix
import Glibc
import Logging
import Synchronization

/// The one thread of a worker process that owns sockets: the listening socket, every accepted connection (idle
/// or busy, kept or not), the completion eventfd and the signalfd. It reads records, hands complete requests to
/// the lanes' queues and writes the answers back. A kept connection costs a file descriptor and a few hundred
/// bytes here, never a thread; and the loop never closes a kept connection between requests — only when the
/// peer closes it, breaks the protocol, or the process drains.
final class EventLoop {
    struct Configuration {
        var limits: FastCGILimits
        var queueTimeoutMilliseconds: Int64
        var drainTimeoutMilliseconds: Int64
        var classify: @Sendable (FastCGIRequest) -> FastCGILane
        var overloaded: @Sendable (FastCGIRequest) -> FastCGIResponse
    }

    private let listenFD: Int32
    private let epollFD: Int32
    private let signalFD: Int32
    private let configuration: Configuration
    private let lanes: WorkerLanes
    private let handover: ConnectionHandover?
    private let logger: Logger

    private var connections: [LoopConnection?] = []
    private var connectionCount = 0
    private var nextSerial: UInt64 = 1
    /// Requests handed to a queue and not yet answered, expired or cancelled.
    private var outstanding = 0
    private var lastExpiryCheck: Int64 = 0
    private var listening = true
    private var acceptPausedUntil: Int64?
    private var drainDeadline: Int64?
    /// Draining for a reload (Signals.retire): idle kept connections go to a live worker instead of being closed.
    private var retiring = false
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    /// Answers asked to be sent later (`FastCGIResponse.delayMilliseconds`), in no particular order: few at a time.
    private var held: [CompletionQueue.Completion] = []
    private var events: [FastCGIConnectionParser.Event] = []

    init(listenFD: Int32, signals: [Int32], lanes: WorkerLanes, handover: ConnectionHandover?,
         configuration: Configuration, logger: Logger) {
        self.listenFD = listenFD
        self.lanes = lanes
        self.handover = handover
        self.configuration = configuration
        self.logger = logger
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epollFD >= 0, "epoll_create1 failed")
        var mask = Signals.set(signals)
        signalFD = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        precondition(signalFD >= 0, "signalfd failed")
        let flags = fcntl(listenFD, F_GETFL)
        _ = fcntl(listenFD, F_SETFL, flags | O_NONBLOCK)
        watch(listenFD, cposix_epollin)
        watch(lanes.completions.eventFD, cposix_epollin)
        watch(signalFD, cposix_epollin)
        if let handover { watch(handover.receiveFD, cposix_epollin) }
    }

    private func watch(_ fd: Int32, _ events: UInt32) {
        _ = cposix_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, events, UInt64(fd))
    }

    /// Runs until the process has drained (SIGTERM, SIGINT, Signals.retire, or the supervisor gone).
    func run() {
        var data = [UInt64](repeating: 0, count: 256)
        var flags = [UInt32](repeating: 0, count: 256)
        while true {
            var timeout: Int32 = outstanding > 0 || drainDeadline != nil || acceptPausedUntil != nil ? 20 : -1
            if let due = held.map(\.notBefore).min() {
                let wait = Int32(clamping: max(0, due - MonotonicClock.milliseconds()))
                timeout = timeout < 0 ? wait : min(timeout, wait)
            }
            let count = cposix_epoll_wait(epollFD, &data, &flags, 256, timeout)
            if count < 0 && errno != EINTR { logger.critical("epoll_wait failed", metadata: ["errno": "\(errno)"]); return }
            collectSentAnswers()
            for index in 0..<max(0, Int(count)) {
                let fd = Int32(truncatingIfNeeded: data[index])
                if fd == listenFD {
                    acceptConnections()
                } else if fd == lanes.completions.eventFD {
                    for completion in lanes.completions.takeAll() { deliver(completion) }
                } else if fd == signalFD {
                    readSignals()
                } else if let handover, fd == handover.receiveFD {
                    for adopted in handover.receiveAll() { adopt(adopted) }
                } else if let connection = connection(fd) {
                    if flags[index] & (cposix_epollin | cposix_epollhup | cposix_epollerr) != 0 { readable(connection) }
                    if flags[index] & cposix_epollout != 0, let still = self.connection(fd), still === connection { flush(connection) }
                }
            }
            let now = MonotonicClock.milliseconds()
            if !held.isEmpty { releaseHeld(now: now) }
            if outstanding > 0 && now - lastExpiryCheck >= 10 {
                lastExpiryCheck = now
                expireQueued(now: now)
            }
            if let until = acceptPausedUntil, now >= until, drainDeadline == nil {
                acceptPausedUntil = nil
                watch(listenFD, cposix_epollin)
            }
            if let deadline = drainDeadline {
                if retiring { handOverIdleConnections() } else { closeIdleConnections() }
                if connectionCount == 0 && outstanding == 0 { return }
                if now >= deadline {
                    logger.warning("drain timeout", metadata: ["connections": "\(connectionCount)", "requests": "\(outstanding)"])
                    return
                }
            }
        }
    }

    private func connection(_ fd: Int32) -> LoopConnection? {
        fd >= 0 && Int(fd) < connections.count ? connections[Int(fd)] : nil
    }

    // MARK: accepting

    private func acceptConnections() {
        guard listening else { return }
        // A few per wake-up: the sibling worker processes wake for the same connections, and whoever is least
        // busy gets to the backlog first, which spreads long-lived kept connections over the processes.
        for _ in 0..<4 {
            let fd = cposix_accept_nonblocking(listenFD)
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED:
                    return
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop watching the listener for a moment instead of spinning on it; the
                    // connection waits in the backlog, it is not refused.
                    logger.warning("accept paused", metadata: ["errno": "\(errno)"])
                    _ = cposix_epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, 0, 0)
                    acceptPausedUntil = MonotonicClock.milliseconds() + 100
                    return
                default:
                    logger.error("accept failed", metadata: ["errno": "\(errno)"])
                    return
                }
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))   // fails harmlessly on unix sockets
            adopt(fd)
        }
    }

    /// Takes on a connection: accepted here, or handed over by a retiring worker (then with its options set and
    /// perhaps a request already waiting, which the level-triggered watch reports at once).
    private func adopt(_ fd: Int32) {
        if Int(fd) >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count + 64))
        }
        let connection = LoopConnection(identity: ConnectionIdentity(fd: fd, serial: nextSerial), limits: configuration.limits)
        nextSerial += 1
        connections[Int(fd)] = connection
        connectionCount += 1
        watch(fd, cposix_epollin)
    }

    // MARK: reading

    private func readable(_ connection: LoopConnection) {
        let fd = connection.identity.fd
        while true {
            let received = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if received > 0 {
                // What was just read may follow an answer a worker wrote itself: note that answer first, so the
                // parser knows its request ID is free again.
                collectSentAnswers()
                guard self.connection(fd) === connection else { return }
                events.removeAll(keepingCapacity: true)
                var failure: FastCGIProtocolError?
                scratch.withUnsafeBytes { raw in
                    do throws(FastCGIProtocolError) {
                        try connection.parser.consume(UnsafeRawBufferPointer(rebasing: raw[0..<received]), into: &events)
                    } catch {
                        failure = error
                    }
                }
                if let failure {
                    logger.notice("closing connection", metadata: ["reason": "\(failure.reason)"])
                    close(connection)
                    return
                }
                for event in events { handle(event, on: connection) }
                guard self.connection(fd) === connection else { return }
                if received < scratch.count { return }
            } else if received == 0 {
                connection.peerClosed = true
                // No more reads: a level-triggered EOF would wake the loop forever.
                updateInterest(connection)
                closeIfDone(connection)
                return
            } else {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                close(connection)
                return
            }
        }
    }

    private func handle(_ event: FastCGIConnectionParser.Event, on connection: LoopConnection) {
        switch event {
        case .reply(let bytes):
            send(bytes, on: connection)
        case .request(let request):
            request.connection = connection.identity
            request.enqueuedAt = MonotonicClock.milliseconds()
            request.lane = request.problem == nil ? configuration.classify(request) : .standard
            request.writer = connection.writer
            connection.inFlight.append(request)
            outstanding += 1
            if !lanes.queue(request.lane).push(request) {
                // Queue full: answer 503 now rather than hold more than the queue can serve within its deadline.
                request.state.store(RequestState.cancelled, ordering: .releasing)
                answerOverloaded(request, on: connection)
            }
        case .abort(let requestID):
            guard let request = connection.inFlight.first(where: { $0.requestID == requestID }) else { return }
            if request.state.compareExchange(expected: RequestState.queued, desired: RequestState.cancelled,
                                             ordering: .acquiringAndReleasing).exchanged {
                _ = connection.removeInFlight(requestID)
                connection.parser.finish(requestID)
                outstanding -= 1
                var out: [UInt8] = []
                FastCGIRecordEncoder.appendEndRequest(requestID: requestID, status: .requestComplete, to: &out)
                send(out, on: connection)
            } else {
                connection.writer.locked { request.abortedWhileRunning = true }
                connection.abortedWhileRunning.append(requestID)
            }
        }
    }

    // MARK: answers

    private func releaseHeld(now: Int64) {
        let due = held.filter { $0.notBefore <= now }
        guard !due.isEmpty else { return }
        held.removeAll { $0.notBefore <= now }
        for completion in due { deliver(completion) }
    }

    /// Answers the workers wrote themselves (`ConnectionWriter`): the loop's bookkeeping for them.
    private func collectSentAnswers() {
        guard lanes.completions.hasItems else { return }
        for completion in lanes.completions.takeAll(readingEventFD: false) { deliver(completion) }
    }

    private func deliver(_ completion: CompletionQueue.Completion) {
        if completion.notBefore > MonotonicClock.milliseconds() {
            held.append(completion)
            return
        }
        outstanding -= 1
        guard let connection = connection(completion.connection.fd), connection.identity == completion.connection,
              connection.removeInFlight(completion.requestID) != nil else { return }
        connection.parser.finish(completion.requestID)
        if !completion.keepConnection { connection.closeWhenIdle = true }
        if let index = connection.abortedWhileRunning.firstIndex(of: completion.requestID) {
            connection.abortedWhileRunning.remove(at: index)
            // Unless the worker had written the whole answer before the abort arrived.
            if !completion.sent {
                var out: [UInt8] = []
                FastCGIRecordEncoder.appendEndRequest(requestID: completion.requestID, status: .requestComplete, to: &out)
                send(out, on: connection)
            }
        } else if !completion.sent {
            send(completion.bytes, on: connection)
        }
        if self.connection(completion.connection.fd) === connection { closeIfDone(connection) }
    }

    /// 503 for a request that will not be run (queue full or deadline passed), in the endpoint's own format.
    private func answerOverloaded(_ request: FastCGIRequest, on connection: LoopConnection) {
        outstanding -= 1
        _ = connection.removeInFlight(request.requestID)
        connection.parser.finish(request.requestID)
        if !request.keepConnection { connection.closeWhenIdle = true }
        send(configuration.overloaded(request).encoded(requestID: request.requestID), on: connection)
        if self.connection(connection.identity.fd) === connection { closeIfDone(connection) }
    }

    /// Requests still queued past the deadline while every thread of their lane is busy (a slow database, a
    /// login storm) are answered here, so a stuck lane cannot hold a client longer than the deadline.
    private func expireQueued(now: Int64) {
        for lane in [FastCGILane.standard, .password] {
            for request in lanes.queue(lane).removeExpired(queuedAtOrBefore: now - configuration.queueTimeoutMilliseconds) {
                guard request.state.compareExchange(expected: RequestState.queued, desired: RequestState.cancelled,
                                                    ordering: .acquiringAndReleasing).exchanged else { continue }
                if let connection = connection(request.connection.fd), connection.identity == request.connection {
                    answerOverloaded(request, on: connection)
                } else {
                    outstanding -= 1
                }
            }
        }
    }

    // MARK: writing

    private func send(_ bytes: [UInt8], on connection: LoopConnection) {
        if connection.hasPendingOutput {
            connection.outbound.append(contentsOf: bytes)
            return
        }
        let writer = connection.writer
        let (written, error) = writer.locked { () -> (Int, Int32) in
            let written = bytes.withUnsafeBytes { write(connection.identity.fd, $0.baseAddress, $0.count) }
            let error = errno
            // The rest waits in `outbound`: workers leave their answers to the loop until it is out.
            if written != bytes.count { writer.setLoopHoldsOutput(true) }
            return (written, error)
        }
        if written == bytes.count { return }
        if written < 0 && error != EAGAIN && error != EWOULDBLOCK && error != EINTR {
            close(connection)
            return
        }
        connection.outbound = Array(bytes[max(0, written)...])
        connection.outboundOffset = 0
        updateInterest(connection)
    }

    private func flush(_ connection: LoopConnection) {
        let writer = connection.writer
        while connection.hasPendingOutput {
            let (written, error) = writer.locked { () -> (Int, Int32) in
                let written = connection.outbound.withUnsafeBytes {
                    write(connection.identity.fd, $0.baseAddress! + connection.outboundOffset, $0.count - connection.outboundOffset)
                }
                let error = errno
                if written >= 0 && connection.outboundOffset + written == connection.outbound.count { writer.setLoopHoldsOutput(false) }
                return (written, error)
            }
            if written < 0 {
                if error == EAGAIN || error == EWOULDBLOCK || error == EINTR { return }
                close(connection)
                return
            }
            connection.outboundOffset += written
        }
        connection.outbound = []
        connection.outboundOffset = 0
        updateInterest(connection)
        closeIfDone(connection)
    }

    private func updateInterest(_ connection: LoopConnection) {
        var events: UInt32 = connection.peerClosed ? 0 : cposix_epollin
        if connection.hasPendingOutput { events |= cposix_epollout }
        connection.watchingWrites = connection.hasPendingOutput
        _ = cposix_epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.identity.fd, events, UInt64(connection.identity.fd))
    }

    // MARK: closing

    /// Closes a connection that has nothing left to do and that the peer closed, asked to have closed (no
    /// FCGI_KEEP_CONN), or that a draining process no longer needs.
    private func closeIfDone(_ connection: LoopConnection) {
        guard connection.isIdle else { return }
        if connection.peerClosed || connection.closeWhenIdle { close(connection) }
    }

    private func close(_ connection: LoopConnection) {
        let fd = connection.identity.fd
        guard self.connection(fd) === connection else { return }
        for request in connection.inFlight {
            // Queued requests of a closed connection are dropped unrun; running ones finish and are discarded.
            if request.state.compareExchange(expected: RequestState.queued, desired: RequestState.cancelled,
                                             ordering: .acquiringAndReleasing).exchanged {
                outstanding -= 1
            }
        }
        connection.inFlight = []
        connections[Int(fd)] = nil
        connectionCount -= 1
        // No worker writes to the descriptor number from now on: a new connection may get it.
        connection.writer.locked { connection.writer.markClosed() }
        Glibc.close(fd)
    }

    // MARK: draining

    private func readSignals() {
        var info = signalfd_siginfo()
        while read(signalFD, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            let retire = Int32(info.ssi_signo) == Signals.retire && handover != nil
            // A stop after a retire turns the retiring worker into a stopping one: nobody is left to adopt.
            if drainDeadline != nil && (retire || !retiring) { continue }
            logger.info(retire ? "worker retiring" : "worker draining", metadata: ["signal": "\(info.ssi_signo)"])
            if drainDeadline == nil {
                drainDeadline = MonotonicClock.milliseconds() + configuration.drainTimeoutMilliseconds
                listening = false
                _ = cposix_epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, 0, 0)
                Glibc.close(listenFD)
            }
            retiring = retire
            // A retiring worker adopts nothing more: what it is handed now it would only have to hand on.
            if retire, let handover { _ = cposix_epoll_ctl(epollFD, EPOLL_CTL_DEL, handover.receiveFD, 0, 0) }
        }
    }

    /// While retiring, idle kept connections go to a live worker, unread: whatever the web server sent meanwhile
    /// is read by their new owner. A connection holding part of a request stays until it is answered. If the
    /// handover fails, the connections are closed as when stopping.
    private func handOverIdleConnections() {
        guard let handover else { return closeIdleConnections() }
        var batch: [LoopConnection] = []
        for case let connection? in connections where connection.isIdle {
            if connection.peerClosed || connection.closeWhenIdle {
                close(connection)
            } else if connection.parser.bufferedByteCount == 0 {
                batch.append(connection)
            }
        }
        var start = 0
        while start < batch.count {
            let chunk = Array(batch[start..<min(batch.count, start + ConnectionHandover.batchSize)])
            start += chunk.count
            guard handover.send(chunk.map(\.identity.fd)) else {
                logger.warning("connection handover failed, closing instead", metadata: ["errno": "\(errno)"])
                return closeIdleConnections()
            }
            // Our copy goes; the kernel's connection lives on in the adopting worker.
            for connection in chunk { close(connection) }
            logger.info("kept connections handed over", metadata: ["connections": "\(chunk.count)"])
        }
    }

    /// While draining, idle connections are closed — after one last look for a request the web server may have
    /// sent just now, which is served instead.
    private func closeIdleConnections() {
        for case let connection? in connections where connection.isIdle {
            readable(connection)
            if self.connection(connection.identity.fd) === connection, connection.isIdle { close(connection) }
        }
    }
}
