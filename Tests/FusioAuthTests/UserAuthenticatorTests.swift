import FusioAuth
import FusioCrypto
import Testing

@Suite struct UserAuthenticatorTests {
    final class Failures: LoginFailureRepository {
        var rows: [Int: (start: UnixTime, count: Int)] = [:]
        func failures(userID: Int, since: UnixTime) throws(StorageError) -> Int {
            guard let row = rows[userID], row.start > since else { return 0 }
            return row.count
        }
        func recordFailure(userID: Int, now: UnixTime, since: UnixTime) throws(StorageError) {
            if let row = rows[userID], row.start > since { rows[userID] = (row.start, row.count + 1) } else { rows[userID] = (now, 1) }
        }
        func clearFailures(userID: Int) throws(StorageError) { rows[userID] = nil }
    }

    let store = InMemoryStore()
    let failures = Failures()
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
                                          clock: FixedClock(time: UnixTime(seconds: 1_700_000_000)))
    }

    @Test func rightPasswordByNameOrEmail() throws {
        #expect(try authenticator.authenticate(login: "alice", password: "right-password")?.id == 1)
        #expect(try authenticator.authenticate(login: "alice@example.com", password: "right-password")?.id == 1)
    }

    @Test func emptyZeroUnknownAndRemoteUsersFail() throws {
        #expect(try authenticator.authenticate(login: "alice", password: "") == nil)
        #expect(try authenticator.authenticate(login: "alice", password: "0") == nil)
        #expect(try authenticator.authenticate(login: "nobody", password: "right-password") == nil)
        #expect(try authenticator.authenticate(login: "remote", password: "right-password") == nil)
    }

    @Test func tooManyFailuresLockTheAccountForTheWindowOnly() throws {
        for _ in 0..<3 { #expect(try authenticator.authenticate(login: "alice", password: "wrong") == nil) }
        #expect(try authenticator.authenticate(login: "alice", password: "right-password") == nil)
        #expect(try authenticator.authenticate(login: "bob", password: "right-password")?.id == 2)
        failures.rows[1] = (UnixTime(seconds: 1_700_000_000 - 16 * 60), 3)   // the window has passed
        #expect(try authenticator.authenticate(login: "alice", password: "right-password")?.id == 1)
    }

    @Test func successClearsEarlierFailures() throws {
        _ = try authenticator.authenticate(login: "bob", password: "wrong")
        #expect(failures.rows[2]?.count == 1)
        #expect(try authenticator.authenticate(login: "bob", password: "right-password")?.id == 2)
        #expect(failures.rows[2] == nil)
    }

    /// A standard-lane thread never runs bcrypt: it stops before the check (and before recording a failure), and
    /// the lane says the request must move.
    @Test func standardLaneHandsPasswordChecksOver() throws {
        let lane = PasswordCheckLane(admitsChecks: false)
        let standard = UserAuthenticator(users: store, failures: failures,
                                         throttle: .init(maxFailures: 3, window: ISODuration(minutes: 15)),
                                         clock: FixedClock(time: UnixTime(seconds: 1_700_000_000)), lane: lane)
        for login in ["alice", "nobody"] {   // a real check and the dummy check of an unknown user alike
            do {
                _ = try standard.authenticate(login: login, password: "wrong")
                Issue.record("a standard-lane authenticator checked a password")
            } catch {
                #expect(error.isPasswordLaneHandOver)
            }
            #expect(lane.takeHandOver())
            #expect(!lane.takeHandOver(), "the hand-over is reported once")
        }
        #expect(failures.rows.isEmpty, "nothing is written before the hand-over")
        // Requests that end before any password check leave the lane untouched.
        #expect(try standard.authenticate(login: "alice", password: "") == nil)
        #expect(!lane.takeHandOver())
    }

    @Test func passwordLaneChecksPasswords() throws {
        let lane = PasswordCheckLane(admitsChecks: true)
        let checking = UserAuthenticator(users: store, lane: lane)
        #expect(try checking.authenticate(login: "alice", password: "right-password")?.id == 1)
        #expect(!lane.takeHandOver())
    }
}
