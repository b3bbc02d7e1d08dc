import FusioAuth
import MariaDB

extension FusioStore: TokenRepository {
    static let insertTokenSQL = """
        INSERT INTO fusio_token (tenant_id, category_id, app_id, user_id, status, name, token, refresh, scope, ip,
                                 expire, date)
        VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
        """
    /// Whether the user (and the app, if any) is active, as a locking read: `fusioauth_issue_token`'s check
    /// (see sql/fusio-auth-routines.sql for why it locks).
    static let lockActivePrincipalsSQL = """
        SELECT COUNT(*) FROM fusio_user u LEFT JOIN fusio_app a ON a.id = ?
         WHERE u.id = ? AND u.status = 1 AND (? IS NULL OR a.status = 1)
          LOCK IN SHARE MODE
        """
    static let insertAuditSQL = """
        INSERT INTO fusio_audit (tenant_id, app_id, user_id, ref_id, event, ip, message, content, date)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let tokenByRefreshSQL = """
        SELECT id, app_id, user_id, status, scope, date FROM fusio_token
         WHERE tenant_id <=> ? AND refresh = ? ORDER BY id DESC LIMIT 1
        """
    /// Whether a token with this refresh token is stored: asked after a COMMIT whose answer was lost. Refresh
    /// tokens are random and unique per tenant, so the row can only be the one that COMMIT wrote.
    static let refreshStoredSQL = "SELECT 1 FROM fusio_token WHERE tenant_id <=> ? AND refresh = ?"
    static let lockTokenSQL = "SELECT status, user_id, app_id FROM fusio_token WHERE id = ? FOR UPDATE"
    /// No row when another transaction holds it. On a row already rotated or revoked, that is a revocation for the
    /// same token, or a refresh of it that lost the race and revokes next; either took the row after whatever made
    /// this request a reuse, so its revocation covers this one and there is nothing to wait for.
    static let lockTokenUnlessLockedSQL = lockTokenSQL + " SKIP LOCKED"
    static let retireTokenSQL = "UPDATE fusio_token SET status = 2 WHERE id = ?"
    static let revokeFamilySQL = """
        UPDATE fusio_token SET status = 2 WHERE tenant_id <=> ? AND user_id = ? AND app_id <=> ? AND status = 1
        """

    static let issueProcedureSQL = "CALL fusioauth_issue_token(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    /// Through the process's coalescer, when the store has one: at once when no other thread is writing, else in one
    /// transaction with the tokens other threads queued meanwhile (README, "Group commit of token writes"); alone,
    /// through `insertAlone`, when that batch failed.
    public func insert(_ token: NewToken, audit: TokenAudit) throws(StorageError) -> Bool {
        let write = TokenWrite(token: token, audit: audit, categoryID: try categoryID(named: token.categoryName))
        guard let tokenWrites else { return try insertAlone(write) }
        return try tokenWrites.submit(write, batch: { writes in try insertBatch(writes) },
                                      single: { (write) throws(StorageError) in try insertAlone(write) })
    }

    /// One token in a transaction of its own: through `fusioauth_issue_token` (one round trip) when `migrate` could
    /// create it, else as a transaction of separate statements.
    func insertAlone(_ write: TokenWrite) throws(StorageError) -> Bool {
        let (token, audit, categoryID) = (write.token, write.audit, write.categoryID)
        do {
            if issueProcedure != .missing, let written = try callIssueProcedure(token, audit: audit, categoryID: categoryID) {
                return written
            }
            return try connection.transaction({ connection in
                guard try principalsAreActive(of: token, on: connection) else { return false }
                _ = try insertRows(token, audit: audit, categoryID: categoryID, on: connection)
                return true
            }, committed: refreshStored(token.refreshToken))
        } catch {
            throw Self.storageError(error)
        }
    }

    /// The procedure's outcome: whether the token was written (false: user or app not active), or nil when the
    /// procedure is missing or not executable, after which the store stops trying it.
    private func callIssueProcedure(_ token: NewToken, audit: TokenAudit, categoryID: Int) throws -> Bool? {
        let parameters: [MariaDBValue] = [
            tenant, .int(Int64(categoryID)), token.appID.map { .int(Int64($0)) } ?? .null, .int(Int64(token.userID)),
            .text(token.name), .text(token.accessToken), .text(token.refreshToken), .text(token.scope), .text(token.ip),
            .text(token.expire.databaseString), .text(token.date.databaseString), .int(Int64(audit.appID)),
            .text(audit.contentTail),
        ]
        var conflicts = ConflictRetry()
        var mayRetryLostConnection = true
        while true {
            do {
                try connection.execute(Self.issueProcedureSQL, parameters)
                issueProcedure = .available
                return true
            } catch let error as MariaDBError where error.sqlState == Self.inactiveSQLState {
                return false
            } catch let error as MariaDBError where Self.procedureUnusableCodes.contains(error.code) {
                issueProcedure = .missing
                return nil
            } catch let error as MariaDBError where error.isDeadlockOrLockTimeout {
                // The procedure rolled back before re-signalling (a deadlock, or a certification failure of
                // its COMMIT in a cluster): running it again is safe.
                guard conflicts.pauseBeforeRetry() else { throw error }
            } catch let error as MariaDBError where error.isConnectionFailure && !error.failedBeforeSending
                && mayRetryLostConnection {
                // The connection (in a cluster: the node) died while the CALL ran, perhaps after its COMMIT.
                // Ask again on a new connection (the next node) whether the token is there; only if not, the
                // CALL runs once more. Never a second row, never a token the client gets but nobody stored.
                mayRetryLostConnection = false
                if try refreshStored(token.refreshToken)(connection) { return true }
            }
        }
    }

    /// The check `MariaDBConnection.transaction` runs after a lost COMMIT answer: is the row with this refresh
    /// token there?
    func refreshStored(_ refreshToken: String) -> (MariaDBConnection) throws -> Bool {
        { [reads, tenant] connection in
            try !connection.query(reads.refreshStored, [tenant, .text(refreshToken)]).isEmpty
        }
    }

    /// What `fusioauth_issue_token` signals when the user or app is not active.
    static let inactiveSQLState = "45000"
    /// 1305 no such procedure; 1370, 1044, 1142 not allowed to run it.
    static let procedureUnusableCodes: Set<UInt32> = [1305, 1370, 1044, 1142]

    /// The write-time status check of `fusioauth_issue_token`, for the paths that write with separate statements;
    /// the caller owns the transaction, which keeps the shared locks until it ends.
    func principalsAreActive(of token: NewToken, on connection: MariaDBConnection) throws -> Bool {
        let appID: MariaDBValue = token.appID.map { .int(Int64($0)) } ?? .null
        return try connection.query(Self.lockActivePrincipalsSQL, [appID, .int(Int64(token.userID)), appID]).first?.int(0) == 1
    }

    /// The token row and its audit row; the caller owns the transaction.
    func insertRows(_ token: NewToken, audit: TokenAudit, categoryID: Int, on connection: MariaDBConnection) throws -> Int {
        var values: [MariaDBValue] = []
        appendTokenRow(token, categoryID: categoryID, to: &values)
        let tokenID = Int(try connection.execute(Self.insertTokenSQL, values).lastInsertID)
        values.removeAll(keepingCapacity: true)
        appendAuditRow(audit, tokenID: tokenID, to: &values)
        try connection.execute(Self.insertAuditSQL, values)
        return tokenID
    }

    /// The values of one `insertTokenSQL` row (the batch statement repeats the same group).
    func appendTokenRow(_ token: NewToken, categoryID: Int, to values: inout [MariaDBValue]) {
        values += [
            tenant, .int(Int64(categoryID)), token.appID.map { .int(Int64($0)) } ?? .null,
            .int(Int64(token.userID)), .text(token.name), .text(token.accessToken), .text(token.refreshToken),
            .text(token.scope), .text(token.ip), .text(token.expire.databaseString), .text(token.date.databaseString),
        ]
    }

    /// The values of one `insertAuditSQL` row (the batch statement repeats the same group).
    func appendAuditRow(_ audit: TokenAudit, tokenID: Int, to values: inout [MariaDBValue]) {
        values += [
            tenant, .int(Int64(audit.appID)), .int(Int64(audit.userID)), .int(Int64(tokenID)),
            .text(TokenAudit.generateEvent), .text(audit.ip), .text(TokenAudit.generateMessage),
            .text(audit.content(tokenID: tokenID)), .text(audit.now.databaseString),
        ]
    }

    public func findByRefreshToken(_ refreshToken: String) throws(StorageError) -> StoredToken? {
        guard let row = try query(reads.tokenByRefresh, [tenant, .text(refreshToken)]).first,
              let id = row.int(0), let userID = row.int(2), let status = row.int(3) else { return nil }
        return StoredToken(id: id, appID: row.int(1), userID: userID, status: status, scope: row.string(4) ?? "",
                           date: row.string(5).flatMap { UnixTime(databaseString: $0) })
    }

    public func rotate(tokenID: Int, to token: PreparedToken) throws(StorageError) -> SingleUseExchange {
        let categoryID = try categoryID(named: token.row.categoryName)
        return try transaction({ connection in
            // No row or not active: lost a race with another refresh of the same token, or a replay.
            guard let status = try connection.query(reads.lockToken, [.int(Int64(tokenID))]).first?.int(0),
                  status == StoredToken.activeStatus else { return .reused }
            guard try principalsAreActive(of: token.row, on: connection) else { return .principalInactive }
            try connection.execute(Self.retireTokenSQL, [.int(Int64(tokenID))])
            _ = try insertRows(token.row, audit: token.audit, categoryID: categoryID, on: connection)
            return .issued
        }, committed: refreshStored(token.row.refreshToken))
    }

    public func revokeFamily(ofTokenID tokenID: Int) throws(StorageError) {
        try transaction { connection in
            guard let row = try connection.query(reads.lockTokenUnlessLocked, [.int(Int64(tokenID))]).first,
                  let userID = row.int(1) else { return }
            try revokeFamilyRows(userID: userID, appID: row.int(2), on: connection)
        }
    }

    public func revokeTokens(userID: Int, appID: Int?) throws(StorageError) {
        // In a transaction so that a deadlock with a concurrent rotation is retried, not answered with 503.
        try transaction { connection in
            try revokeFamilyRows(userID: userID, appID: appID, on: connection)
        }
    }

    /// The caller owns the transaction (and, on reuse, holds the lock of the credential that was reused).
    func revokeFamilyRows(userID: Int, appID: Int?, on connection: MariaDBConnection) throws {
        try connection.execute(Self.revokeFamilySQL, [tenant, .int(Int64(userID)), appID.map { .int(Int64($0)) } ?? .null])
    }
}
