import FusioAuth
import MariaDB

/// `CleanupStore` over one connection, for `fusio-auth cleanup`. Like Fusio's own `system:clean` it works across
/// all tenants. Each batch is `DELETE … ORDER BY key LIMIT n RETURNING key` in its own transaction: under the
/// session's READ COMMITTED only the deleted rows are locked, never a gap, so token inserts (always at the top of
/// the id range) and updates of live rows never wait for it.
public final class FusioCleanupStore: CleanupStore {
    private let connection: MariaDBConnection

    public init(connection: MariaDBConnection) {
        self.connection = connection
    }

    /// Which rows of a table go, and the key its batches walk in order.
    private struct Rule {
        let condition: String
        let parameters: [MariaDBValue]
        let order: String
        /// An integer key to resume after, or nil when the key is composite (small tables: a batch re-reads from
        /// the start, which only holds rows that do not match).
        let cursorColumn: String?
    }

    private func rule(_ table: CleanupTable, _ cutoffs: CleanupCutoffs) -> Rule {
        switch table {
        case .token:
            // A revoked or rotated token (status 2) stays until its issue date passes the cutoff: until then a
            // replayed refresh token is still recognised and revokes its family.
            let cutoff = MariaDBValue.text(cutoffs.token.databaseString)
            return Rule(condition: "(expire < ? OR (status <> 1 AND date < ?))", parameters: [cutoff, cutoff],
                        order: "id", cursorColumn: "id")
        case .appCode:
            return Rule(condition: "date < ?", parameters: [.text(cutoffs.appCode.databaseString)],
                        order: "id", cursorColumn: "id")
        case .codeChallenge:
            // Judged by the code's own date rather than by its row being gone, so that a dry run, which deletes
            // no code, counts the same challenges as the real run.
            return Rule(condition: """
                NOT EXISTS (SELECT 1 FROM fusio_app_code c WHERE c.id = fusioauth_code_challenge.code_id AND c.date >= ?)
                """, parameters: [.text(cutoffs.appCode.databaseString)], order: "code_id", cursorColumn: "code_id")
        case .loginAttempt:
            return Rule(condition: "window_start < ?", parameters: [.text(cutoffs.loginAttempt.databaseString)],
                        order: "user_id, source", cursorColumn: nil)
        case .loginSource:
            return Rule(condition: "last_login < ?", parameters: [.text(cutoffs.loginSource.databaseString)],
                        order: "user_id, source", cursorColumn: nil)
        }
    }

    public func countExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int {
        let rule = rule(table, cutoffs)
        do {
            let rows = try connection.query("SELECT COUNT(*) FROM \(table.rawValue) WHERE \(rule.condition)", rule.parameters)
            return rows.first?.int(0) ?? 0
        } catch {
            throw FusioStore.storageError(error)
        }
    }

    public func deletionBound(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int {
        guard let column = rule(table, cutoffs).cursorColumn else { return try countExpired(table, cutoffs: cutoffs) }
        do {
            // The end of the primary key: no scan.
            return try connection.query("SELECT COALESCE(MAX(\(column)), 0) FROM \(table.rawValue)").first?.int(0) ?? 0
        } catch {
            throw FusioStore.storageError(error)
        }
    }

    public func deleteExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs, after cursor: Int64?,
                              limit: Int) throws(StorageError) -> CleanupBatch {
        let rule = rule(table, cutoffs)
        var condition = rule.condition
        var parameters = rule.parameters
        if let column = rule.cursorColumn, let cursor {
            condition = "\(column) > ? AND \(condition)"
            parameters.insert(.int(cursor), at: 0)
        }
        let returning = rule.cursorColumn ?? "1"
        let sql = "DELETE FROM \(table.rawValue) WHERE \(condition) ORDER BY \(rule.order) LIMIT ? RETURNING \(returning)"
        do {
            // Inside a transaction the statement is not retried on its own as a read would be: a lost connection
            // rolls the batch back and the transaction runs it once more.
            let rows = try connection.transaction { try $0.query(sql, parameters + [.int(Int64(limit))]) }
            let keys = rule.cursorColumn == nil ? [] : rows.compactMap { $0.int(0) }
            return CleanupBatch(deleted: rows.count, lastKey: keys.max().map(Int64.init))
        } catch {
            throw FusioStore.storageError(error)
        }
    }
}
