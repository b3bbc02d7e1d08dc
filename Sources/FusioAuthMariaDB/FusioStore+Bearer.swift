import FusioAuth
import MariaDB

extension FusioStore: AccessTokenRepository {
    static let activeTokenSQL = """
        SELECT t.id, t.app_id, t.user_id, t.scope, t.token, u.status, a.status, a.app_key, u.name, u.plan_id
          FROM fusio_token t
          JOIN fusio_user u ON u.id = t.user_id
          LEFT JOIN fusio_app a ON a.id = t.app_id
         WHERE t.tenant_id <=> ? AND t.status = 1 AND t.token = ? AND (t.expire IS NULL OR t.expire > ?)
        """
    static let operationSQL = """
        SELECT o.id, s.name, so.allow, o.category_id, o.stability
          FROM fusio_operation o
          LEFT JOIN fusio_scope_operation so ON so.operation_id = o.id
          LEFT JOIN fusio_scope s ON s.id = so.scope_id AND s.tenant_id <=> ? AND s.status = 1
         WHERE o.tenant_id <=> ? AND o.name = ? AND o.status = 1
        """
    static let revokeTokenSQL = "UPDATE fusio_token SET status = 2 WHERE tenant_id <=> ? AND id = ? AND status = 1"
    static let removeAuditSQL = """
        INSERT INTO fusio_audit (tenant_id, app_id, user_id, ref_id, event, ip, message, content, date)
        VALUES (?, ?, ?, ?, 'token.remove', ?, 'Removed token', ?, ?)
        """
    static let accessOrRefreshSQL = """
        SELECT id, app_id, user_id FROM fusio_token
         WHERE tenant_id <=> ? AND status = 1 AND (token = ? OR refresh = ?)
         ORDER BY id LIMIT 1
        """

    public func findActiveToken(_ token: String, now: UnixTime) throws(StorageError) -> ActiveToken? {
        guard let row = try query(reads.activeToken, [tenant, .text(token), .text(now.databaseString)]).first,
              let id = row.int(0), let userID = row.int(2), let userStatus = row.int(5) else { return nil }
        return ActiveToken(id: id, appID: row.int(1), userID: userID, scope: row.string(3) ?? "",
                           token: row.string(4) ?? "", userStatus: userStatus, appStatus: row.int(6),
                           appKey: row.string(7), userName: row.string(8) ?? "", userPlanID: row.int(9))
    }

    /// Cached for a second per thread, like the scope catalogue: the backend switch takes effect within it.
    public func operation(named name: String) throws(StorageError) -> OperationAccess? {
        let now = MonotonicTime.milliseconds()
        if let cached = operations.get(name, now: now) { return cached }
        let rows = try query(Self.operationSQL, [tenant, tenant, .text(name)])
        var access: OperationAccess?
        if let id = rows.first?.int(0) {
            access = OperationAccess(id: id, allowedScopes: rows.compactMap { row in
                row.int(2) == 1 ? row.string(1) : nil
            }, categoryID: rows.first?.int(3) ?? 1, stability: rows.first?.int(4) ?? 1)
        }
        operations.put(name, access, now: now)
        return access
    }

    public func subScopes(of root: String) throws(StorageError) -> [String] {
        try scopes.catalogue(knowing: [], from: self).activeSubScopes(of: root)
    }

    public func revoke(tokenID: Int, audit: RevocationAudit) throws(StorageError) -> Bool {
        return try transaction { connection in
            let updated = try connection.execute(Self.revokeTokenSQL, [tenant, .int(Int64(tokenID))])
            guard updated.affectedRows == 1 else { return false }
            try connection.execute(Self.removeAuditSQL, [
                tenant, .int(Int64(audit.appID)), .int(Int64(audit.userID)), .int(Int64(tokenID)), .text(audit.ip),
                .text("{\"tokenId\":\(tokenID)}"), .text(audit.now.databaseString),
            ])
            return true
        }
    }

    public func findActiveByAccessOrRefresh(_ value: String) throws(StorageError) -> (id: Int, appID: Int?, userID: Int)? {
        guard let row = try query(reads.accessOrRefresh, [tenant, .text(value), .text(value)]).first,
              let id = row.int(0), let userID = row.int(2) else { return nil }
        return (id, row.int(1), userID)
    }
}
