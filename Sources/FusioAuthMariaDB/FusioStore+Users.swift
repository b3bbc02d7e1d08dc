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
    public func findActiveUser(login: String, byName: Bool) throws(StorageError) -> FusioUser? {
        try query(byName ? Self.userByNameSQL : Self.userByEmailSQL, [tenant, .text(login)]).first.flatMap(Self.user)
    }

    public func availableScopes(userID: Int) throws(StorageError) -> AvailableScopes {
        try scopes(appID: nil, userID: userID).user ?? AvailableScopes(direct: [])
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
