import Synchronization

/// One complete FastCGI request: its parameters and body, already read off the connection by the event loop.
/// Built on the loop thread, then handed to exactly one worker thread through a queue (whose lock orders the
/// accesses); only `state` is touched by both sides afterwards, atomically.
public final class FastCGIRequest: @unchecked Sendable {
    /// Why the request cannot be served as sent; the responder answers it with the matching 4xx.
    public enum Problem: Sendable, Equatable {
        case bodyTooLarge
        /// The web server sent fewer bytes than CONTENT_LENGTH announced.
        case bodyTruncated
        /// CONTENT_LENGTH is not a number.
        case bodyMalformed
        case parametersTooLarge
    }

    public let requestID: UInt16
    public let keepConnection: Bool
    /// The raw FCGI_PARAMS block and where each pair lies in it: parameters are looked at without copies.
    private let parameterBlock: [UInt8]
    private var pairs: [(name: Range<Int>, value: Range<Int>)] = []
    public internal(set) var body: [UInt8]
    public internal(set) var problem: Problem?

    // Set by the event loop before the request is queued.
    var connection = ConnectionIdentity(fd: -1, serial: 0)
    var enqueuedAt: Int64 = 0
    var lane: FastCGILane = .standard
    /// The connection's write side: the worker that runs the request writes the answer through it.
    var writer: ConnectionWriter?
    /// Set by the loop, under the writer's lock, when FCGI_ABORT_REQUEST arrives while a worker runs the request:
    /// the worker then leaves the answer to the loop, which sends only FCGI_END_REQUEST.
    var abortedWhileRunning = false

    /// queued → running (a worker took it) or queued → cancelled (aborted, timed out or connection gone).
    let state = Atomic<UInt8>(RequestState.queued)

    init(requestID: UInt16, keepConnection: Bool, parameterBlock: [UInt8], body: [UInt8]) {
        self.requestID = requestID
        self.keepConnection = keepConnection
        self.parameterBlock = parameterBlock
        self.body = body
        var pairs: [(name: Range<Int>, value: Range<Int>)] = []
        pairs.reserveCapacity(32)
        _ = parameterBlock.withUnsafeBytes { FastCGINameValuePairs.parse($0) { pairs.append(($0, $1)) } }
        self.pairs = pairs
    }

    /// One parameter (`REQUEST_METHOD`, `HTTP_USER_AGENT`, …) as a string; the last one wins if repeated.
    public func parameter(_ name: StaticString) -> String? {
        withLastParameter { ParameterBytes.equal($0, name) }
    }

    private func withLastParameter(matching: (UnsafeBufferPointer<UInt8>) -> Bool) -> String? {
        parameterBlock.withUnsafeBufferPointer { block in
            for pair in pairs.reversed() where matching(UnsafeBufferPointer(rebasing: block[pair.name])) {
                return String(decoding: UnsafeBufferPointer(rebasing: block[pair.value]), as: UTF8.self)
            }
            return nil
        }
    }

    /// Visits the raw parameters in the order the web server sent them, without copying; the buffers are valid
    /// only during the call.
    public func forEachParameter(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        parameterBlock.withUnsafeBufferPointer { block in
            for pair in pairs {
                body(UnsafeBufferPointer(rebasing: block[pair.name]), UnsafeBufferPointer(rebasing: block[pair.value]))
            }
        }
    }

    /// Every parameter as strings (tests and diagnostics; the hot path uses `forEachParameter`).
    public var parameters: [(name: String, value: String)] {
        var result: [(String, String)] = []
        forEachParameter { result.append((String(decoding: $0, as: UTF8.self), String(decoding: $1, as: UTF8.self))) }
        return result
    }
}

enum RequestState {
    static let queued: UInt8 = 0
    static let running: UInt8 = 1
    static let cancelled: UInt8 = 2
}

/// A connection as the event loop knows it: the fd plus a serial, so an answer for a connection that closed
/// meanwhile is never written to a new connection that got the same fd.
struct ConnectionIdentity: Equatable, Sendable {
    var fd: Int32
    var serial: UInt64
}
