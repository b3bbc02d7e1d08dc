import FusioAuth
import MariaDB

extension FusioStore: TokenRepository {
    static let insertTokenSQL = """
        INSERT INTO fusio_token (tenant_id, category_id, app_id, user_id, status, name, token, refresh, scope, ip,
                                 expire, date)
        VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
        """
    static let insertAuditSQL = """
        INSERT INTO fusio_audit (tenant_id, app_id, user_id, ref_id, event, ip, message, content, date)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    public func insert(_ token: NewToken, audit: TokenAudit) throws(StorageError) -> Int {
        let categoryID = try categoryID(named: token.categoryName)
        do {
            return try connection.transaction { connection in
                let inserted = try connection.execute(Self.insertTokenSQL, [
                    tenant, .int(Int64(categoryID)), token.appID.map { .int(Int64($0)) } ?? .null,
                    .int(Int64(token.userID)), .text(token.name), .text(token.accessToken), .text(token.refreshToken),
                    .text(token.scope), .text(token.ip), .text(token.expire.databaseString),
                    .text(token.date.databaseString),
                ])
                let tokenID = Int(inserted.lastInsertID)
                try connection.execute(Self.insertAuditSQL, [
                    tenant, .int(Int64(audit.appID)), .int(Int64(audit.userID)), .int(Int64(tokenID)),
                    .text(TokenAudit.generateEvent), .text(audit.ip), .text(TokenAudit.generateMessage),
                    .text(audit.content(tokenID: tokenID)), .text(audit.now.databaseString),
                ])
                return tokenID
            }
        } catch {
            throw Self.storageError(error)
        }
    }
}
