import FusioCrypto

/// Fusio's `authenticate(username, password)` (§5.2): an active, local user by name or e-mail whose bcrypt hash
/// matches — hardened in two ways.
///
/// No enumeration: a login for an unknown, disabled or remote user still runs one bcrypt verification (against a
/// fixed hash of the current cost), so neither the answer nor its timing tells which accounts exist.
///
/// Bounded guessing that cannot lock the owner out (OWASP: lockout must not become a denial of service; trust
/// known devices): failures are counted per account and source. A source (client address) that logged into the
/// account within `knownSourceLifetime` has a budget of its own, which failures from elsewhere never touch;
/// every other source shares one budget per account. A spent budget answers "wrong password" without running
/// bcrypt until its window ends — after as long as a bcrypt check would have taken, so the lock shows neither in
/// the answer nor in its timing. Owns the thread's bcrypt scratch space, so one instance per thread.
public final class UserAuthenticator {
    /// bcrypt, cost 12 (what new hashes get), of a random password that was thrown away (made with PHP's
    /// password_hash).
    static let dummyHash = "$2y$12$LVbMjaNO/PB4/VWxFwlEreWkS48lMdsdf60UmGMYqtbrPbYd3qzTa"

    public struct Throttle: Sendable {
        public var maxFailures: Int
        public var window: ISODuration
        public var knownSourceLifetime: ISODuration

        public init(maxFailures: Int, window: ISODuration, knownSourceLifetime: ISODuration = ISODuration(days: 30)) {
            self.maxFailures = maxFailures
            self.window = window
            self.knownSourceLifetime = knownSourceLifetime
        }
    }

    private let users: any UserRepository
    private let failures: (any LoginFailureRepository)?
    private let throttle: Throttle?
    private let clock: any Clock
    private let lane: PasswordCheckLane
    private let bcrypt = BCrypt()
    private let timing = BCryptTiming.shared

    public init(users: any UserRepository, failures: (any LoginFailureRepository)? = nil, throttle: Throttle? = nil,
                clock: any Clock = SystemClock(), lane: PasswordCheckLane = PasswordCheckLane(admitsChecks: true)) {
        self.users = users
        self.failures = failures
        self.throttle = throttle
        self.clock = clock
        self.lane = lane
    }

    /// `source`: the client address the attempt comes from (as the firewall resolves it).
    public func authenticate(login: String, password: String, source: String) throws(StorageError) -> FusioUser? {
        // PHP empty(): "" and "0" are both empty.
        guard !password.isEmpty, password != "0", !login.isEmpty else { return nil }
        let secret = Array(password.utf8)
        guard let user = try users.findActiveUser(login: login, byName: Self.isUserName(login)),
              user.identityID == nil, let hash = user.passwordHash, !hash.isEmpty else {
            try lane.admit()
            _ = verify(secret, Self.dummyHash)
            return nil
        }
        guard let failures, let throttle else {
            try lane.admit()
            return verify(secret, hash) ? user : nil
        }
        // Locked answers are made on the password lane too: its threads know how long this machine's checks take.
        try lane.admit()
        let now = clock.now()
        let windowStart = throttle.window.subtracted(from: now)
        let known = try failures.isKnownSource(userID: user.id, source: source,
                                               since: throttle.knownSourceLifetime.subtracted(from: now))
        let budget = known ? source : LoginSource.unknownSources
        if try failures.failures(userID: user.id, source: budget, since: windowStart) >= throttle.maxFailures {
            // Locked: no bcrypt, but the answer comes no sooner than a check's would.
            lane.holdAnswer(milliseconds: timing.expectedMilliseconds(forHash: hash))
            return nil
        }
        guard verify(secret, hash) else {
            try failures.recordFailure(userID: user.id, source: budget, now: now, since: windowStart)
            return nil
        }
        if known {
            try failures.clearFailures(userID: user.id, source: source)
        }
        try failures.rememberSource(userID: user.id, source: source, now: now)
        return user
    }

    private func verify(_ secret: [UInt8], _ hash: String) -> Bool {
        let started = MonotonicTime.milliseconds()
        let matches = bcrypt.verify(password: secret, hash: hash)
        timing.record(hash: hash, milliseconds: MonotonicTime.milliseconds() - started)
        return matches
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
