import Synchronization

/// The token families (a user's tokens of one app) a worker process is revoking at this moment, shared by its
/// threads. Replays come in bursts: a stolen chain holds many rotated refresh tokens, concurrent refreshes of one
/// token all lose but one, and each such request (or a consumed code presented again) would revoke the family on
/// its own: a scan of the user's token rows, which takes long in a large installation (about 0.5 s with 200,000
/// rows: one burst of 32 held every request thread for 9 s). Here a burst costs at most two scans: a request whose
/// family is being revoked asks the running revocation to go once more when it is done and answers at once. So
/// every reuse is still followed by a revocation that starts after it (and sees the token that made it reuse,
/// such as a race's winner). One token or code presented many times is kept apart by its row lock
/// (`TokenRepository.revokeFamily`, `AuthorizationCodeRepository.revokeTokens`), across processes and hosts too.
public final class FamilyRevocations: Sendable {
    public struct Family: Hashable, Sendable {
        public let userID: Int
        public let appID: Int?

        public init(userID: Int, appID: Int?) {
            self.userID = userID
            self.appID = appID
        }
    }

    /// The families being revoked, each with whether another request asked for one more pass meanwhile.
    private let running = Mutex<[Family: Bool]>([:])

    public init() {}

    /// Runs `revoke`, and again as long as other threads asked for `family` meanwhile; or, when a revocation of
    /// `family` is running on another thread, asks it for one more pass and returns at once. Returns whether
    /// `revoke` ran here. When it throws, passes asked for are dropped with it (the error is answered 503).
    @discardableResult
    public func revoke<E: Error>(_ family: Family, _ revoke: () throws(E) -> Void) throws(E) -> Bool {
        let runsHere = running.withLock { running in
            if running[family] != nil {
                running[family] = true
                return false
            }
            running[family] = false
            return true
        }
        guard runsHere else { return false }
        do {
            repeat { try revoke() } while running.withLock { running in
                if running[family] == true {
                    running[family] = false
                    return true
                }
                running[family] = nil
                return false
            }
        } catch {
            _ = running.withLock { $0.removeValue(forKey: family) }
            throw error
        }
        return true
    }
}
