import FusioAuth
import MariaDB

extension FusioStore: ConsentRepository {
    static let consentSQL = """
        INSERT INTO fusio_user_grant (user_id, app_id, allow, date) VALUES (?, ?, 1, ?)
            ON DUPLICATE KEY UPDATE allow = 1, date = VALUES(date)
        """
    static let insertCodeSQL = """
        INSERT INTO fusio_app_code (app_id, user_id, code, redirect_uri, scope, date) VALUES (?, ?, ?, ?, ?, ?)
        """
    static let insertChallengeSQL = """
        INSERT INTO fusioauth_code_challenge (code_id, challenge, method, created) VALUES (?, ?, ?, ?)
        """

    public func storeCode(_ code: String, appID: Int, userID: Int, redirectURI: String?, scope: String,
                          challenge: CodeChallenge?, now: UnixTime) throws(StorageError) {
        let date = MariaDBValue.text(now.databaseString)
        try transaction { connection in
            try connection.execute(Self.consentSQL, [.int(Int64(userID)), .int(Int64(appID)), date])
            let inserted = try connection.execute(Self.insertCodeSQL, [
                .int(Int64(appID)), .int(Int64(userID)), .text(code), redirectURI.map { .text($0) } ?? .null,
                .text(scope), date,
            ])
            if let challenge {
                try connection.execute(Self.insertChallengeSQL, [
                    .int(Int64(inserted.lastInsertID)), .text(challenge.challenge), .text(challenge.method.rawValue), date,
                ])
            }
        }
    }
}
