/// Whether the current thread may spend ~50 ms of CPU on a bcrypt check. Threads of the standard lane may not:
/// when a request turns out to need one (a password grant, user credentials as client credentials, a login), the
/// check is refused before anything was written, the handler's answer is thrown away, and the request runs again
/// from the start on the password lane. One instance per thread, shared by its authenticator and its responder.
public final class PasswordCheckLane {
    public let admitsChecks: Bool
    /// Set when a check was refused on this thread since the last `takeHandOver()`.
    private var handOverRequested = false

    public init(admitsChecks: Bool) {
        self.admitsChecks = admitsChecks
    }

    /// Throws `StorageError.passwordLaneRequired` on a thread that must not run bcrypt.
    func admit() throws(StorageError) {
        guard admitsChecks else {
            handOverRequested = true
            throw .passwordLaneRequired
        }
    }

    /// True once after a refused check: the caller discards the response and hands the request over.
    public func takeHandOver() -> Bool {
        defer { handOverRequested = false }
        return handOverRequested
    }

    /// How long the answer must be held back so that it takes as long as a bcrypt check would have: set when a
    /// locked account's check is skipped (no CPU spent, same timing). Held by the event loop, not a thread.
    private var answerDelayMilliseconds = 0

    func holdAnswer(milliseconds: Int) {
        answerDelayMilliseconds = max(answerDelayMilliseconds, milliseconds)
    }

    /// The delay asked for since the last call (0 when none), reset.
    public func takeAnswerDelay() -> Int {
        defer { answerDelayMilliseconds = 0 }
        return answerDelayMilliseconds
    }
}
