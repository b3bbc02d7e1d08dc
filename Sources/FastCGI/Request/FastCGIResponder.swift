/// What a worker thread runs for every request. Each thread makes its own responder (and with it its own
/// database connection), so a responder is never shared between threads and needs no locking.
public protocol FastCGIResponder: AnyObject {
    func respond(to request: FastCGIRequest) -> FastCGIOutcome
    /// After an answer was handed on, before the thread takes its next request: upkeep that may take a while
    /// but must not delay an answer or run in the middle of one.
    func didAnswer()
}

extension FastCGIResponder {
    public func didAnswer() {}
}

public enum FastCGIOutcome {
    case response(FastCGIResponse)
    /// The request needs the password lane (a bcrypt check) and was not run past the point where it found out:
    /// it is queued there and run again from the start. Only a responder on the standard lane may answer this.
    case needsPasswordLane
}

/// The two queues of a worker process. Password checks (bcrypt, ~50 ms of CPU each) get their own few threads,
/// so a login storm queues behind itself and never behind — or in front of — cheap token requests.
public enum FastCGILane: Sendable {
    case standard
    case password
}
