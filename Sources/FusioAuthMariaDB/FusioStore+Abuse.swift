import FusioAuth
import MariaDB

extension FusioStore: FirewallRepository {
    static let firewallRulesSQL = """
        SELECT ip, type FROM fusio_firewall
         WHERE tenant_id <=> ? AND status = 1 AND (expire IS NULL OR expire > ?)
        """
    static let firewallCountSQL = """
        SELECT COUNT(*) FROM fusio_firewall_log WHERE tenant_id <=> ? AND ip = ? AND insert_date > ?
        """
    static let firewallLogSQL = """
        INSERT INTO fusio_firewall_log (tenant_id, ip, response_code, insert_date) VALUES (?, ?, ?, ?)
        """
    /// With a tenant the `(tenant_id, ip)` unique key holds: keep one row per IP up to date instead of failing.
    static let firewallLogTenantSQL = """
        INSERT INTO fusio_firewall_log (tenant_id, ip, response_code, insert_date) VALUES (?, ?, ?, ?)
            ON DUPLICATE KEY UPDATE response_code = VALUES(response_code), insert_date = VALUES(insert_date)
        """
    static let firewallBanSQL = """
        INSERT INTO fusio_firewall (tenant_id, status, name, type, ip, expire, metadata) VALUES (?, 1, ?, 0, ?, ?, NULL)
        """

    public func activeRules(now: UnixTime) throws(StorageError) -> (deny: Set<String>, allow: Set<String>) {
        var deny: Set<String> = []
        var allow: Set<String> = []
        for row in try query(Self.firewallRulesSQL, [tenant, .text(now.databaseString)]) {
            guard let ip = row.string(0) else { continue }
            if row.int(1) == 1 { allow.insert(ip) } else { deny.insert(ip) }
        }
        return (deny, allow)
    }

    public func errorCount(ip: String, since: UnixTime) throws(StorageError) -> Int {
        try query(Self.firewallCountSQL, [tenant, .text(ip), .text(since.databaseString)]).first?.int(0) ?? 0
    }

    public func logError(ip: String, code: Int, now: UnixTime) throws(StorageError) {
        try execute(tenant == .null ? Self.firewallLogSQL : Self.firewallLogTenantSQL,
                    [tenant, .text(ip), .int(Int64(code)), .text(now.databaseString)])
    }

    public func ban(ip: String, name: String, expire: UnixTime) throws(StorageError) {
        do {
            try connection.executeRetryingConflicts(Self.firewallBanSQL, [tenant, .text(name), .text(ip), .text(expire.databaseString)])
        } catch let error as MariaDBError where error.isDuplicateKey {
            // Another thread or PHP banned the IP in the same second under the same name: banned either way.
        } catch {
            throw Self.storageError(error)
        }
    }

    /// An autocommit write; a conflict (a certification failure when another node wrote the same row, e.g. the
    /// same account's failure counter) runs it again, so counters stay exact across nodes.
    func execute(_ sql: String, _ parameters: [MariaDBValue]) throws(StorageError) {
        do {
            try connection.executeRetryingConflicts(sql, parameters)
        } catch {
            throw Self.storageError(error)
        }
    }
}

extension FusioStore: LoginFailureRepository {
    static let loginFailuresSQL = """
        SELECT failures, window_start FROM fusioauth_login_attempt WHERE user_id = ? AND source = ?
        """
    /// Assignments run left to right, so `failures` still sees the old `window_start`.
    static let recordFailureSQL = """
        INSERT INTO fusioauth_login_attempt (user_id, source, window_start, failures) VALUES (?, ?, ?, 1)
            ON DUPLICATE KEY UPDATE failures = IF(window_start > ?, failures + 1, 1),
                                    window_start = IF(window_start > ?, window_start, VALUES(window_start))
        """
    static let clearFailuresSQL = "DELETE FROM fusioauth_login_attempt WHERE user_id = ? AND source = ?"
    static let knownSourceSQL = """
        SELECT 1 FROM fusioauth_login_source WHERE user_id = ? AND source = ? AND last_login > ?
        """
    static let rememberSourceSQL = """
        INSERT INTO fusioauth_login_source (user_id, source, last_login) VALUES (?, ?, ?)
            ON DUPLICATE KEY UPDATE last_login = VALUES(last_login)
        """

    public func failures(userID: Int, source: String, since: UnixTime) throws(StorageError) -> Int {
        guard let row = try query(reads.loginFailures, [.int(Int64(userID)), .text(source)]).first,
              let start = row.string(1).flatMap({ UnixTime(databaseString: $0) }), start > since else { return 0 }
        return row.int(0) ?? 0
    }

    public func recordFailure(userID: Int, source: String, now: UnixTime, since: UnixTime) throws(StorageError) {
        let window = MariaDBValue.text(since.databaseString)
        try execute(Self.recordFailureSQL, [.int(Int64(userID)), .text(source), .text(now.databaseString), window, window])
    }

    public func clearFailures(userID: Int, source: String) throws(StorageError) {
        try execute(Self.clearFailuresSQL, [.int(Int64(userID)), .text(source)])
    }

    public func isKnownSource(userID: Int, source: String, since: UnixTime) throws(StorageError) -> Bool {
        try !query(reads.knownSource, [.int(Int64(userID)), .text(source), .text(since.databaseString)]).isEmpty
    }

    public func rememberSource(userID: Int, source: String, now: UnixTime) throws(StorageError) {
        try execute(Self.rememberSourceSQL, [.int(Int64(userID)), .text(source), .text(now.databaseString)])
    }
}
