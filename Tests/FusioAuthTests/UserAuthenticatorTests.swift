import FusioAuth
import FusioCrypto
import Testing

@Suite struct UserAuthenticatorTests {
    /// Budgets and known sources over dictionaries, with the repository's window rule.
    final class Failures: LoginFailureRepository {
        struct Key: Hashable { var userID: Int; var source: String }
        var rows: [Key: (start: UnixTime, count: Int)] = [:]
        var known: [Key: UnixTime] = [:]

        func failures(userID: Int, source: String, since: UnixTime) throws(StorageError) -> Int {
            guard let row = rows[Key(userID: userID, source: source)], row.start > since else { return 0 }
            return row.count
        }
        func recordFailure(userID: Int, source: String, now: UnixTime, since: UnixTime) throws(StorageError) {
            let key = Key(userID: userID, source: source)
            if let row = rows[key], row.start > since { rows[key] = (row.start, row.count + 1) } else { rows[key] = (now, 1) }
        }
        func clearFailures(userID: Int, source: String) throws(StorageError) { rows[Key(userID: userID, source: source)] = nil }
        func isKnownSource(userID: Int, source: String, since: UnixTime) throws(StorageError) -> Bool {
            known[Key(userID: userID, source: source)].map { $0 > since } ?? false
        }
        func rememberSource(userID: Int, source: String, now: UnixTime) throws(StorageError) {
            known[Key(userID: userID, source: source)] = now
        }
    }

    static let now = UnixTime(seconds: 1_700_000_000)
    static let home = "198.51.100.7"

    let store = InMemoryStore()
    let failures = Failures()
    let lane = PasswordCheckLane(admitsChecks: true)
    let authenticator: UserAuthenticator

    init() {
        let hash = BCrypt().hash(password: Array("right-password".utf8), cost: 4)
        store.users = [
            FusioUser(id: 1, status: 1, name: "alice", email: "alice@example.com", identityID: nil, passwordHash: hash),
            FusioUser(id: 2, status: 1, name: "bob", email: "bob@example.com", identityID: nil, passwordHash: hash),
            FusioUser(id: 3, status: 1, name: "remote", email: nil, identityID: 7, passwordHash: hash),
        ]
        authenticator = UserAuthenticator(users: store, failures: failures,
                                          throttle: .init(maxFailures: 3, window: ISODuration(minutes: 15)),
                                          clock: FixedClock(time: Self.now), lane: lane)
    }

    func login(_ name: String, _ password: String, from source: String = "203.0.113.1") throws -> Int? {
        try authenticator.authenticate(login: name, password: password, source: source)?.id
    }

    @Test func rightPasswordByNameOrEmail() throws {
        #expect(try login("alice", "right-password") == 1)
        #expect(try login("alice@example.com", "right-password") == 1)
    }

    @Test func emptyZeroUnknownAndRemoteUsersFail() throws {
        #expect(try login("alice", "") == nil)
        #expect(try login("alice", "0") == nil)
        #expect(try login("nobody", "right-password") == nil)
        #expect(try login("remote", "right-password") == nil)
    }

    @Test func unknownSourcesShareOneBudgetPerAccountForTheWindowOnly() throws {
        for attacker in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] { #expect(try login("alice", "wrong", from: attacker) == nil) }
        #expect(failures.rows[.init(userID: 1, source: LoginSource.unknownSources)]?.count == 3)
        // Spent: a fourth unknown source is refused even with the right password, without a bcrypt check …
        #expect(try login("alice", "right-password", from: "192.0.2.4") == nil)
        #expect(lane.takeAnswerDelay() > 0, "the locked answer is held as long as a check would take")
        #expect(failures.rows[.init(userID: 1, source: LoginSource.unknownSources)]?.count == 3, "no check, no count")
        // … other accounts are untouched, and the budget comes back with the next window.
        #expect(try login("bob", "right-password") == 2)
        failures.rows[.init(userID: 1, source: LoginSource.unknownSources)] = (Self.now.adding(seconds: -16 * 60), 3)
        #expect(try login("alice", "right-password", from: "192.0.2.4") == 1)
    }

    @Test func aKnownSourceKeepsItsOwnBudgetDuringAnAttack() throws {
        #expect(try login("alice", "right-password", from: Self.home) == 1)     // the owner's address becomes known
        for index in 1...40 { #expect(try login("alice", "guess-\(index)", from: "192.0.2.\(index)") == nil) }
        #expect(try login("alice", "right-password", from: "192.0.2.99") == nil, "unknown sources stay locked")
        _ = lane.takeAnswerDelay()
        #expect(try login("alice", "right-password", from: Self.home) == 1, "the owner is never locked out by others")
        #expect(lane.takeAnswerDelay() == 0)
    }

    @Test func aKnownSourceHasABoundedBudgetToo() throws {
        #expect(try login("alice", "right-password", from: Self.home) == 1)
        for _ in 0..<3 { #expect(try login("alice", "wrong", from: Self.home) == nil) }
        #expect(try login("alice", "right-password", from: Self.home) == nil)
        #expect(failures.rows[.init(userID: 1, source: LoginSource.unknownSources)] == nil, "its failures are its own")
        #expect(try login("alice", "right-password", from: "192.0.2.50") == 1, "other sources still have theirs")
    }

    @Test func aSourceIsForgottenAfterItsLifetime() throws {
        #expect(try login("alice", "right-password", from: Self.home) == 1)
        failures.known[.init(userID: 1, source: Self.home)] = Self.now.adding(seconds: -31 * 86_400)
        for attacker in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] { _ = try login("alice", "wrong", from: attacker) }
        #expect(try login("alice", "right-password", from: Self.home) == nil, "a stale source shares the unknown budget")
    }

    @Test func successClearsTheKnownSourcesFailuresOnly() throws {
        #expect(try login("bob", "right-password", from: Self.home) == 2)
        _ = try login("bob", "wrong", from: Self.home)
        _ = try login("bob", "wrong", from: "192.0.2.1")
        #expect(try login("bob", "right-password", from: Self.home) == 2)
        #expect(failures.rows[.init(userID: 2, source: Self.home)] == nil)
        #expect(failures.rows[.init(userID: 2, source: LoginSource.unknownSources)]?.count == 1,
                "a login by the owner does not refill the attackers' budget")
    }

    /// A standard-lane thread never runs bcrypt: it stops before the check (and before recording a failure), and
    /// the lane says the request must move.
    @Test func standardLaneHandsPasswordChecksOver() throws {
        let standardLane = PasswordCheckLane(admitsChecks: false)
        let standard = UserAuthenticator(users: store, failures: failures,
                                         throttle: .init(maxFailures: 3, window: ISODuration(minutes: 15)),
                                         clock: FixedClock(time: Self.now), lane: standardLane)
        for user in ["alice", "nobody"] {   // a real check and the dummy check of an unknown user alike
            do {
                _ = try standard.authenticate(login: user, password: "wrong", source: Self.home)
                Issue.record("a standard-lane authenticator checked a password")
            } catch {
                #expect(error.isPasswordLaneHandOver)
            }
            #expect(standardLane.takeHandOver())
            #expect(!standardLane.takeHandOver(), "the hand-over is reported once")
        }
        #expect(failures.rows.isEmpty, "nothing is written before the hand-over")
        #expect(try standard.authenticate(login: "alice", password: "", source: Self.home) == nil)
        #expect(!standardLane.takeHandOver(), "requests that end before any check stay where they are")
    }
}
