import FusioCrypto

/// Fusio's `authenticate(username, password)` (§5.2): an active, local user by name or e-mail whose bcrypt hash
/// matches — hardened: a login for an unknown, disabled or remote user still runs one bcrypt verification
/// (against a fixed hash of the current cost), so neither the answer nor its timing tells which accounts exist;
/// and an account with too many failed password checks in the window is refused whatever the password.
/// Owns the thread's bcrypt scratch space, so one instance per thread.
public final class UserAuthenticator {
    /// bcrypt, cost 12 (what new hashes get), of a random password that was thrown away (made with PHP's
    /// password_hash).
    static let dummyHash = "$2y$12$LVbMjaNO/PB4/VWxFwlEreWkS48lMdsdf60UmGMYqtbrPbYd3qzTa"

    public struct Throttle: Sendable {
        public var maxFailures: Int
        public var window: ISODuration

        public init(maxFailures: Int, window: ISODuration) {
            self.maxFailures = maxFailures
            self.window = window
        }
    }

    private let users: any UserRepository
    private let failures: (any LoginFailureRepository)?
    private let throttle: Throttle?
    private let clock: any Clock
    private let lane: PasswordCheckLane
    private let bcrypt = BCrypt()

    public init(users: any UserRepository, failures: (any LoginFailureRepository)? = nil, throttle: Throttle? = nil,
                clock: any Clock = SystemClock(), lane: PasswordCheckLane = PasswordCheckLane(admitsChecks: true)) {
        self.users = users
        self.lane = lane
        self.failures = failures
        self.throttle = throttle
        self.clock = clock
    }

    public func authenticate(login: String, password: String) throws(StorageError) -> FusioUser? {
        // PHP empty(): "" and "0" are both empty.
        guard !password.isEmpty, password != "0", !login.isEmpty else { return nil }
        let secret = Array(password.utf8)
        guard let user = try users.findActiveUser(login: login, byName: Self.isUserName(login)),
              user.identityID == nil, let hash = user.passwordHash, !hash.isEmpty else {
            try lane.admit()
            _ = bcrypt.verify(password: secret, hash: Self.dummyHash)
            return nil
        }
        try lane.admit()
        guard let failures, let throttle else {
            return bcrypt.verify(password: secret, hash: hash) ? user : nil
        }
        let now = clock.now()
        let since = UnixTime(seconds: now.seconds - (throttle.window.added(to: now).seconds - now.seconds))
        let failed = try failures.failures(userID: user.id, since: since)
        let matches = bcrypt.verify(password: secret, hash: hash)
        if failed >= throttle.maxFailures { return nil }
        guard matches else {
            try failures.recordFailure(userID: user.id, now: now, since: since)
            return nil
        }
        if failed > 0 { try failures.clearFailures(userID: user.id) }
        return user
    }

    /// Fusio looks a login up by name when it matches `^[a-zA-Z0-9\-\_\.]{3,32}$`, otherwise by e-mail.
    static func isUserName(_ login: String) -> Bool {
        let bytes = login.utf8
        guard (3...32).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }
}
