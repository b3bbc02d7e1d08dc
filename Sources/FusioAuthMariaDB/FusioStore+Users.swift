import FusioAuth
import MariaDB

extension FusioStore: UserRepository {
    static let userByNameSQL = """
        SELECT id, status, name, email, identity_id, password FROM fusio_user
         WHERE tenant_id <=> ? AND name = ? AND status = 1 ORDER BY id LIMIT 1
        """
    static let userByEmailSQL = """
        SELECT id, status, name, email, identity_id, password FROM fusio_user
         WHERE tenant_id <=> ? AND email = ? AND status = 1 ORDER BY id LIMIT 1
        """
    /// A user's own scopes and plan scopes, unfiltered by tenant and status exactly as Fusio reads them.
    static let userScopesSQL = """
        SELECT (SELECT GROUP_CONCAT(x.scope_id) FROM fusio_user_scope x WHERE x.user_id = ?),
               (SELECT GROUP_CONCAT(x.scope_id) FROM fusio_plan_scope x
                  JOIN fusio_user ou ON ou.plan_id = x.plan_id WHERE ou.id = ?)
        """

    public func findActiveUser(login: String, byName: Bool) throws(StorageError) -> FusioUser? {
        try query(byName ? Self.userByNameSQL : Self.userByEmailSQL, [tenant, .text(login)]).first.flatMap(Self.user)
    }

    public func availableScopes(userID: Int) throws(StorageError) -> AvailableScopes {
        guard let row = try query(Self.userScopesSQL, [.int(Int64(userID)), .int(Int64(userID))]).first else {
            return AvailableScopes(direct: [])
        }
        let catalogue = try scopes.catalogue(knowing: row.ids(0) + row.ids(1), from: self)
        return AvailableScopes(direct: catalogue.grants(ids: row.ids(0), visibility: .all),
                               plan: catalogue.grants(ids: row.ids(1), visibility: .all))
    }
}

extension FusioStore {
    static let userByIDSQL = """
        SELECT id, status, name, email, identity_id, password FROM fusio_user WHERE tenant_id <=> ? AND id = ?
        """

    public func findUser(id: Int) throws(StorageError) -> FusioUser? {
        try query(Self.userByIDSQL, [tenant, .int(Int64(id))]).first.flatMap(Self.user)
    }

    /// A row of `SELECT id, status, name, email, identity_id, password`.
    static func user(_ row: MariaDBRow) -> FusioUser? {
        guard let id = row.int(0), let status = row.int(1), let name = row.string(2) else { return nil }
        return FusioUser(id: id, status: status, name: name, email: row.string(3), identityID: row.int(4),
                         passwordHash: row.string(5))
    }
}
