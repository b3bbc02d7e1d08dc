import Synchronization

/// The token families (a user's tokens of one app) a worker process is revoking at this moment, shared by its
/// threads. Replays come in bursts: a stolen chain holds many rotated refresh tokens, and each presented one (or a
/// consumed code) would revoke the family on its own, a scan of the user's token rows that takes long in a large
/// installation (about 0.5 s with 200,000 rows: one burst of 32 held every request thread for 9 s). A replay whose
/// family is being revoked right now leaves it to that revocation; one token or code presented many times is kept
/// apart by its row lock (`TokenRepository.revokeFamily`, `AuthorizationCodeRepository.revokeTokens`), across
/// processes and hosts too.
public final class FamilyRevocations: Sendable {
    public struct Family: Hashable, Sendable {
        public let userID: Int
        public let appID: Int?

        public init(userID: Int, appID: Int?) {
            self.userID = userID
            self.appID = appID
        }
    }

    private let running = Mutex<Set<Family>>([])

    public init() {}

    /// Runs `revoke` unless a revocation of `family` is running on another thread; returns whether it ran.
    @discardableResult
    public func revokeUnlessRunning<E: Error>(_ family: Family, _ revoke: () throws(E) -> Void) throws(E) -> Bool {
        guard running.withLock({ $0.insert(family).inserted }) else { return false }
        defer { _ = running.withLock { $0.remove(family) } }
        try revoke()
        return true
    }
}
