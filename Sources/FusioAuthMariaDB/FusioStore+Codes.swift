import FusioAuth
import MariaDB

extension FusioStore: AuthorizationCodeRepository {
    static let codeSQL = """
        SELECT c.id, c.app_id, c.user_id, c.redirect_uri, c.scope, c.date, ch.challenge, ch.method
          FROM fusio_app_code c
          JOIN fusio_app a ON a.id = c.app_id
          LEFT JOIN fusioauth_code_challenge ch ON ch.code_id = c.id
         WHERE a.tenant_id <=> ? AND c.code = ?
         ORDER BY c.id
         LIMIT 1
        """
    static let lockCodeSQL = "SELECT date FROM fusio_app_code WHERE id = ? FOR UPDATE"
    /// No row when another transaction holds it: on a consumed code, a revocation for the same code or an exchange
    /// of it that lost the race and revokes next (as `lockTokenUnlessLockedSQL`).
    static let lockCodeUnlessLockedSQL = lockCodeSQL + " SKIP LOCKED"
    static let consumeCodeSQL = "UPDATE fusio_app_code SET date = ? WHERE id = ?"

    public func findCode(_ code: String) throws(StorageError) -> AuthorizationCode? {
        guard let row = try query(reads.code, [tenant, .text(code)]).first,
              let id = row.int(0), let appID = row.int(1), let userID = row.int(2) else { return nil }
        var challenge: CodeChallenge?
        if let value = row.string(6), let method = row.string(7).flatMap(CodeChallenge.Method.init(rawValue:)) {
            challenge = CodeChallenge(challenge: value, method: method)
        }
        return AuthorizationCode(id: id, appID: appID, userID: userID, redirectURI: row.string(3),
                                 scope: row.string(4) ?? "", date: row.string(5).flatMap { UnixTime(databaseString: $0) },
                                 challenge: challenge)
    }

    public func exchange(codeID: Int, for token: PreparedToken) throws(StorageError) -> SingleUseExchange {
        let categoryID = try categoryID(named: token.row.categoryName)
        let consumed = AuthorizationCode.consumedDate.databaseString
        return try transaction({ connection in
            guard let row = try connection.query(reads.lockCode, [.int(Int64(codeID))]).first else { return .reused }
            guard row.string(0).flatMap({ UnixTime(databaseString: $0) }) != AuthorizationCode.consumedDate else {
                return .reused     // lost the race to another exchange of this code, or a replay
            }
            guard try principalsAreActive(of: token.row, on: connection) else { return .principalInactive }
            try connection.execute(Self.consumeCodeSQL, [.text(consumed), .int(Int64(codeID))])
            _ = try insertRows(token.row, audit: token.audit, categoryID: categoryID, on: connection)
            return .issued
        }, committed: refreshStored(token.row.refreshToken))
    }

    public func revokeTokens(ofReusedCode code: AuthorizationCode) throws(StorageError) {
        try transaction { connection in
            guard try !connection.query(reads.lockCodeUnlessLocked, [.int(Int64(code.id))]).isEmpty else { return }
            try revokeFamilyRows(userID: code.userID, appID: code.appID, on: connection)
        }
    }
}
