import FusioAuth
import MariaDB

extension FusioStore: AppRepository {
    /// The app and its owner; the scope lists come from `scopes(appID:userID:)`.
    static let clientSQL = """
        SELECT a.id, a.user_id, a.status, a.name, a.url, a.app_key, a.app_secret,
               u.id, u.status, u.name, u.email, u.identity_id
          FROM fusio_app a
          LEFT JOIN fusio_user u ON u.id = a.user_id AND u.tenant_id <=> ?
         WHERE a.tenant_id <=> ? AND a.app_key = ?
        """

    public func findClients(appKey: String, allowCached: Bool) throws(StorageError) -> (clients: [ClientApp], cached: Bool) {
        let now = MonotonicTime.milliseconds()
        if allowCached, let clients = clientCache.get(appKey, now: now) { return (clients, true) }
        let clients = try loadClients(appKey: appKey)
        // Unknown keys are not remembered: they are usually user names of the client_credentials fallback.
        if !clients.isEmpty { clientCache.put(appKey, clients, now: now) }
        return (clients, false)
    }

    private func loadClients(appKey: String) throws(StorageError) -> [ClientApp] {
        var clients: [ClientApp] = []
        for row in try query(Self.clientSQL, [tenant, tenant, .text(appKey)]) {
            guard let id = row.int(0), let userID = row.int(1), let status = row.int(2),
                  let key = row.string(5), let secret = row.string(6) else { continue }
            let app = FusioApp(id: id, userID: userID, status: status, name: row.string(3) ?? "",
                               url: row.string(4) ?? "", key: key, secret: secret)
            var owner: FusioUser?
            if let ownerID = row.int(7), let ownerStatus = row.int(8), let ownerName = row.string(9) {
                owner = FusioUser(id: ownerID, status: ownerStatus, name: ownerName, email: row.string(10),
                                  identityID: row.int(11), passwordHash: nil)
            }
            let scopes = try scopes(appID: id, userID: userID)
            clients.append(ClientApp(app: app, owner: owner, appScopes: scopes.app ?? AvailableScopes(direct: []),
                                     ownerScopes: scopes.user ?? AvailableScopes(direct: [])))
        }
        return clients
    }
}

extension FusioStore {
    static let appByIDSQL = """
        SELECT id, user_id, status, name, url, app_key, app_secret FROM fusio_app WHERE tenant_id <=> ? AND id = ?
        """

    public func findApp(id: Int) throws(StorageError) -> FusioApp? {
        guard let row = try query(Self.appByIDSQL, [tenant, .int(Int64(id))]).first,
              let id = row.int(0), let userID = row.int(1), let status = row.int(2),
              let key = row.string(5), let secret = row.string(6) else { return nil }
        return FusioApp(id: id, userID: userID, status: status, name: row.string(3) ?? "", url: row.string(4) ?? "",
                        key: key, secret: secret)
    }
}
