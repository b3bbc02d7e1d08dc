/// One accepted connection as the event loop holds it: the protocol state, the bytes waiting to be sent, and
/// the requests handed to worker threads and not yet answered.
final class LoopConnection {
    let identity: ConnectionIdentity
    /// Shared with the worker threads, which write their answers through it.
    let writer: ConnectionWriter
    var parser: FastCGIConnectionParser
    var outbound: [UInt8] = []
    var outboundOffset = 0
    var watchingWrites = false
    /// The peer shut its side: nothing more will arrive, but answers still in the works are sent.
    var peerClosed = false
    /// A request came without FCGI_KEEP_CONN: close once it is answered (spec §3.5).
    var closeWhenIdle = false
    var inFlight: [FastCGIRequest] = []
    /// Requests aborted (FCGI_ABORT_REQUEST) while a worker ran them: only their END_REQUEST is sent.
    var abortedWhileRunning: [UInt16] = []

    init(identity: ConnectionIdentity, limits: FastCGILimits) {
        self.identity = identity
        writer = ConnectionWriter(fd: identity.fd)
        parser = FastCGIConnectionParser(limits: limits)
    }

    var hasPendingOutput: Bool { outboundOffset < outbound.count }
    var isIdle: Bool { inFlight.isEmpty && !hasPendingOutput && parser.openRequestCount == 0 }

    func removeInFlight(_ requestID: UInt16) -> FastCGIRequest? {
        guard let index = inFlight.firstIndex(where: { $0.requestID == requestID }) else { return nil }
        return inFlight.remove(at: index)
    }
}
