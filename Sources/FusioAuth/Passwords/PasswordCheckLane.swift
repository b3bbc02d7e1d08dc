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
}
