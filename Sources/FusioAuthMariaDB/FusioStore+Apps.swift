import FusioAuth
import MariaDB

extension FusioStore: AppRepository {
    /// One round trip: the app row with its owner, the app's scopes (with Fusio's plan lookup, which passes the
    /// app id as a user id — kept so both sides grant the same scopes) and the owner's scopes, each expanded.
    /// Columns: app_ref, source, scope id, scope name, sub-scope name, then app and owner columns on the
    /// '0' row only.
    static let clientSQL = """
        SELECT * FROM (
          SELECT a.id AS app_ref, '0' AS source, NULL AS scope_id, NULL AS scope_name, NULL AS sub_name,
                 a.user_id, a.status, a.name, a.url, a.app_key, a.app_secret,
                 u.id AS owner_id, u.status AS owner_status, u.name AS owner_name, u.email, u.identity_id
            FROM fusio_app a
            LEFT JOIN fusio_user u ON u.id = a.user_id AND u.tenant_id <=> ?
           WHERE a.tenant_id <=> ? AND a.app_key = ?
          UNION ALL
          SELECT a.id, 'A', s.id, s.name, sub.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM fusio_app a
            JOIN fusio_app_scope x ON x.app_id = a.id
            JOIN fusio_scope s ON s.id = x.scope_id AND s.tenant_id <=> ? AND s.status = 1
            LEFT JOIN fusio_scope sub ON INSTR(s.name, '.') = 0 AND sub.name LIKE CONCAT(s.name, '.%')
                 AND sub.tenant_id <=> ? AND sub.status = 1
           WHERE a.tenant_id <=> ? AND a.app_key = ?
          UNION ALL
          SELECT a.id, 'B', s.id, s.name, sub.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM fusio_app a
            JOIN fusio_user pu ON pu.id = a.id AND pu.tenant_id <=> ?
            JOIN fusio_plan_scope x ON x.plan_id = pu.plan_id
            JOIN fusio_scope s ON s.id = x.scope_id AND s.tenant_id <=> ? AND s.status = 1
            LEFT JOIN fusio_scope sub ON INSTR(s.name, '.') = 0 AND sub.name LIKE CONCAT(s.name, '.%')
                 AND sub.tenant_id <=> ? AND sub.status = 1
           WHERE a.tenant_id <=> ? AND a.app_key = ?
          UNION ALL
          SELECT a.id, 'U', s.id, s.name, sub.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM fusio_app a
            JOIN fusio_user_scope x ON x.user_id = a.user_id
            JOIN fusio_scope s ON s.id = x.scope_id
            LEFT JOIN fusio_scope sub ON INSTR(s.name, '.') = 0 AND sub.name LIKE CONCAT(s.name, '.%')
           WHERE a.tenant_id <=> ? AND a.app_key = ?
          UNION ALL
          SELECT a.id, 'V', s.id, s.name, sub.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM fusio_app a
            JOIN fusio_user pu ON pu.id = a.user_id
            JOIN fusio_plan_scope x ON x.plan_id = pu.plan_id
            JOIN fusio_scope s ON s.id = x.scope_id
            LEFT JOIN fusio_scope sub ON INSTR(s.name, '.') = 0 AND sub.name LIKE CONCAT(s.name, '.%')
           WHERE a.tenant_id <=> ? AND a.app_key = ?
        ) scope_rows
        ORDER BY app_ref, source, scope_id, sub_name
        """

    public func findClients(appKey: String) throws(StorageError) -> [ClientApp] {
        let key = MariaDBValue.text(appKey)
        let rows = try query(Self.clientSQL, [
            tenant, tenant, key,
            tenant, tenant, tenant, key,
            tenant, tenant, tenant, tenant, key,
            tenant, key,
            tenant, key,
        ])
        var clients: [ClientApp] = []
        var index = rows.startIndex
        while index < rows.endIndex {
            let appRef = rows[index].int(0)
            var end = index
            while end < rows.endIndex, rows[end].int(0) == appRef { end += 1 }
            let group = Array(rows[index..<end])
            if let client = Self.client(from: group) { clients.append(client) }
            index = end
        }
        return clients
    }

    private static func client(from rows: [MariaDBRow]) -> ClientApp? {
        guard let appRow = rows.first(where: { $0.string(1) == "0" }),
              let id = appRow.int(0), let userID = appRow.int(5), let status = appRow.int(6),
              let key = appRow.string(9), let secret = appRow.string(10) else { return nil }
        let app = FusioApp(id: id, userID: userID, status: status, name: appRow.string(7) ?? "",
                           url: appRow.string(8) ?? "", key: key, secret: secret)
        var owner: FusioUser?
        if let ownerID = appRow.int(11), let ownerStatus = appRow.int(12), let ownerName = appRow.string(13) {
            owner = FusioUser(id: ownerID, status: ownerStatus, name: ownerName, email: appRow.string(14),
                              identityID: appRow.int(15), passwordHash: nil)
        }
        return ClientApp(
            app: app, owner: owner,
            appScopes: ScopeRows.collect(rows, sourceColumn: 1, direct: "A", plan: "B"),
            ownerScopes: ScopeRows.collect(rows, sourceColumn: 1, direct: "U", plan: "V"))
    }
}
