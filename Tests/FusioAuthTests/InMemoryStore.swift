import FusioAuth

/// Repositories over plain arrays, for unit tests of the grant logic (integration tests use the real MariaDB).
final class InMemoryStore: AppRepository, UserRepository, TokenRepository {
    var clients: [ClientApp] = []
    var users: [FusioUser] = []
    var userScopes: [Int: AvailableScopes] = [:]
    var inserted: [(token: NewToken, audit: TokenAudit)] = []
    var failing = false
    var storedTokens: [String: StoredToken] = [:]
    /// What `rotate` reports; the rotations asked for are recorded.
    var rotation = SingleUseExchange.issued
    var rotated: [(tokenID: Int, token: PreparedToken)] = []
    var revokedFamilies: [Int] = []

    func findClients(appKey: String, allowCached: Bool) throws(StorageError) -> (clients: [ClientApp], cached: Bool) {
        if failing { throw StorageError(cause: "down") }
        return (clients.filter { $0.app.key == appKey }, false)
    }

    func findActiveUser(login: String, byName: Bool) throws(StorageError) -> FusioUser? {
        if failing { throw StorageError(cause: "down") }
        return users.first { (byName ? $0.name : $0.email) == login && $0.isActive }
    }

    func findApp(id: Int) throws(StorageError) -> FusioApp? {
        clients.first { $0.app.id == id }?.app
    }

    func findUser(id: Int) throws(StorageError) -> FusioUser? {
        users.first { $0.id == id }
    }

    func findByRefreshToken(_ refreshToken: String) throws(StorageError) -> StoredToken? { storedTokens[refreshToken] }

    func rotate(tokenID: Int, to token: PreparedToken) throws(StorageError) -> SingleUseExchange {
        rotated.append((tokenID, token))
        return rotation
    }

    func revokeFamily(ofTokenID tokenID: Int) throws(StorageError) { revokedFamilies.append(tokenID) }

    func revokeTokens(userID: Int, appID: Int?) throws(StorageError) {}

    func availableScopes(userID: Int) throws(StorageError) -> AvailableScopes {
        userScopes[userID] ?? AvailableScopes(direct: [])
    }

    func insert(_ token: NewToken, audit: TokenAudit) throws(StorageError) -> Bool {
        if failing { throw StorageError(cause: "down") }
        inserted.append((token, audit))
        return true
    }
}

struct FixedClock: Clock {
    var time: UnixTime
    func now() -> UnixTime { time }
}
