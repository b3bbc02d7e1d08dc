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
        SELECT * FROM (
          SELECT 'U' AS source, s.id AS scope_id, s.name AS scope_name, sub.name AS sub_name
            FROM fusio_user_scope x
            JOIN fusio_scope s ON s.id = x.scope_id
            LEFT JOIN fusio_scope sub ON INSTR(s.name, '.') = 0 AND sub.name LIKE CONCAT(s.name, '.%')
           WHERE x.user_id = ?
          UNION ALL
          SELECT 'V', s.id, s.name, sub.name
            FROM fusio_user pu
            JOIN fusio_plan_scope x ON x.plan_id = pu.plan_id
            JOIN fusio_scope s ON s.id = x.scope_id
            LEFT JOIN fusio_scope sub ON INSTR(s.name, '.') = 0 AND sub.name LIKE CONCAT(s.name, '.%')
           WHERE pu.id = ?
        ) scope_rows
        ORDER BY source, scope_id, sub_name
        """

    public func findActiveUser(login: String, byName: Bool) throws(StorageError) -> FusioUser? {
        let rows = try query(byName ? Self.userByNameSQL : Self.userByEmailSQL, [tenant, .text(login)])
        guard let row = rows.first, let id = row.int(0), let status = row.int(1), let name = row.string(2) else {
            return nil
        }
        return FusioUser(id: id, status: status, name: name, email: row.string(3), identityID: row.int(4),
                         passwordHash: row.string(5))
    }

    public func availableScopes(userID: Int) throws(StorageError) -> AvailableScopes {
        let rows = try query(Self.userScopesSQL, [.int(Int64(userID)), .int(Int64(userID))])
        return ScopeRows.collect(rows, sourceColumn: 0, direct: "U", plan: "V")
    }
}
