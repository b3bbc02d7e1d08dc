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
}
