import Glibc
import Metrics
import Synchronization

/// The two lanes of a worker process — each a bounded queue and its own threads — and the way back to the loop.
final class WorkerLanes: Sendable {
    let standard: RequestQueue
    let password: RequestQueue
    let completions = CompletionQueue()
    let queueTimeoutMilliseconds: Int64
    let overloaded: @Sendable (FastCGIRequest) -> FastCGIResponse

    init(standardCapacity: Int, passwordCapacity: Int, queueTimeoutMilliseconds: Int64,
         overloaded: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse) {
        standard = RequestQueue(capacity: standardCapacity)
        password = RequestQueue(capacity: passwordCapacity)
        self.queueTimeoutMilliseconds = queueTimeoutMilliseconds
        self.overloaded = overloaded
    }

    func queue(_ lane: FastCGILane) -> RequestQueue {
        lane == .standard ? standard : password
    }

    /// One worker thread's life: take the oldest request of its lane, run it, send the answer back.
    func serve(_ lane: FastCGILane, with responder: any FastCGIResponder) {
        let queue = queue(lane)
        while let request = queue.pop() {
            // A request the loop already cancelled (aborted, expired, connection gone) is skipped.
            guard request.state.compareExchange(expected: RequestState.queued, desired: RequestState.running,
                                                ordering: .acquiringAndReleasing).exchanged else { continue }
            let waited = MonotonicClock.milliseconds() - request.enqueuedAt
            PoolMetrics.queueWait(lane).recordMilliseconds(waited)
            if waited > queueTimeoutMilliseconds {
                complete(request, with: overloaded(request))
                continue
            }
            let busy = PoolMetrics.busyThreads(lane)
            busy.increment()
            let outcome = responder.respond(to: request)
            busy.decrement()
            switch outcome {
            case .response(let response):
                complete(request, with: response)
            case .needsPasswordLane where lane == .standard:
                handOver(request)
            case .needsPasswordLane:
                // A password-lane responder runs password checks itself; answering this would loop forever.
                complete(request, with: overloaded(request))
            }
            responder.didAnswer()
        }
    }

    /// Moves a request that turned out to need a password check to the password lane. It keeps its original
    /// queueing time, so the deadline counts from when it arrived.
    private func handOver(_ request: FastCGIRequest) {
        request.lane = .password
        request.state.store(RequestState.queued, ordering: .releasing)
        if password.push(request) { return }
        // Full: answer 503 — unless the loop cancelled it in the meantime, in which case nobody waits for it.
        if request.state.compareExchange(expected: RequestState.queued, desired: RequestState.running,
                                         ordering: .acquiringAndReleasing).exchanged {
            complete(request, with: overloaded(request))
        }
    }

    private func complete(_ request: FastCGIRequest, with response: FastCGIResponse) {
        let bytes = response.encoded(requestID: request.requestID)
        var done = CompletionQueue.Completion(connection: request.connection, requestID: request.requestID,
                                              keepConnection: request.keepConnection, bytes: [])
        // Written here, on a kept connection, when the answer is due now; a connection to close after the answer
        // and a held answer are the loop's to send.
        if request.keepConnection, response.delayMilliseconds == 0, let writer = request.writer {
            done.sent = true
            if writer.sendAnswer(bytes, unlessAborted: request, announce: { completions.pushQuietly(done) }) { return }
            done.sent = false
        }
        done.bytes = bytes
        if response.delayMilliseconds > 0 { done.notBefore = MonotonicClock.milliseconds() + Int64(response.delayMilliseconds) }
        completions.push(done)
    }
}
