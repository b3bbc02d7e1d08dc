import FusioAuth
import MariaDB

extension FusioStore: AppRepository {
    /// One round trip: the app, its owner and four scope id lists — the app's scopes, the app's plan scopes
    /// (Fusio looks the plan up with the app id as a user id; kept so both sides grant the same scopes), the
    /// owner's scopes and the owner's plan scopes — expanded afterwards from the scope catalogue.
    static let clientSQL = """
        SELECT a.id, a.user_id, a.status, a.name, a.url, a.app_key, a.app_secret,
               u.id, u.status, u.name, u.email, u.identity_id,
               (SELECT GROUP_CONCAT(x.scope_id) FROM fusio_app_scope x WHERE x.app_id = a.id),
               (SELECT GROUP_CONCAT(x.scope_id) FROM fusio_plan_scope x
                  JOIN fusio_user pu ON pu.plan_id = x.plan_id WHERE pu.id = a.id AND pu.tenant_id <=> ?),
               (SELECT GROUP_CONCAT(x.scope_id) FROM fusio_user_scope x WHERE x.user_id = a.user_id),
               (SELECT GROUP_CONCAT(x.scope_id) FROM fusio_plan_scope x
                  JOIN fusio_user ou ON ou.plan_id = x.plan_id WHERE ou.id = a.user_id)
          FROM fusio_app a
          LEFT JOIN fusio_user u ON u.id = a.user_id AND u.tenant_id <=> ?
         WHERE a.tenant_id <=> ? AND a.app_key = ?
         ORDER BY a.id
        """

    public func findClients(appKey: String) throws(StorageError) -> [ClientApp] {
        let rows = try query(Self.clientSQL, [tenant, tenant, tenant, .text(appKey)])
        guard !rows.isEmpty else { return [] }
        let catalogue = try scopes.catalogue(knowing: rows.flatMap { row in (12...15).flatMap(row.ids) }, from: self)
        return rows.compactMap { row in
            guard let id = row.int(0), let userID = row.int(1), let status = row.int(2),
                  let key = row.string(5), let secret = row.string(6) else { return nil }
            let app = FusioApp(id: id, userID: userID, status: status, name: row.string(3) ?? "",
                               url: row.string(4) ?? "", key: key, secret: secret)
            var owner: FusioUser?
            if let ownerID = row.int(7), let ownerStatus = row.int(8), let ownerName = row.string(9) {
                owner = FusioUser(id: ownerID, status: ownerStatus, name: ownerName, email: row.string(10),
                                  identityID: row.int(11), passwordHash: nil)
            }
            return ClientApp(
                app: app, owner: owner,
                appScopes: AvailableScopes(direct: catalogue.grants(ids: row.ids(12), visibility: .activeInTenant),
                                           plan: catalogue.grants(ids: row.ids(13), visibility: .activeInTenant)),
                ownerScopes: AvailableScopes(direct: catalogue.grants(ids: row.ids(14), visibility: .all),
                                             plan: catalogue.grants(ids: row.ids(15), visibility: .all)))
        }
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
