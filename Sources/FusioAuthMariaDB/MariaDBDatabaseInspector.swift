import FusioAuth
import MariaDB

/// The doctor's read-only look at a Fusio database: information_schema for tables, columns, collations and
/// privileges, and a few reads of Fusio's own tables. Not used on request paths.
public final class MariaDBDatabaseInspector: DatabaseInspector {
    /// Enough rows to find a PHP-issued token among the ones fusio-auth issued since.
    static let recentTokenLimit = 200
    /// ER_SP_WRONG_NO_OF_ARGS: the procedure exists and may be called (with the right arguments).
    static let wrongArgumentCount: UInt32 = 1318
    /// ER_PROCACCESS_DENIED_ERROR, ER_TABLEACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR.
    static let accessDenied: Set<UInt32> = [1370, 1142, 1044]
    /// ER_SP_DOES_NOT_EXIST.
    static let doesNotExist: UInt32 = 1305

    private let connection: MariaDBConnection

    public init(connection: MariaDBConnection) {
        self.connection = connection
    }

    public func gatherFacts(requirements: [ColumnRequirement], now: UnixTime) throws(StorageError) -> DatabaseFacts {
        do {
            return try gather(tables: Set(requirements.map(\.table)), now: now)
        } catch {
            throw FusioStore.storageError(error)
        }
    }

    private func gather(tables: Set<String>, now: UnixTime) throws -> DatabaseFacts {
        var facts = DatabaseFacts()
        let session = try connection.query("""
            SELECT DATABASE(), CURRENT_USER(), @@session.time_zone, @@system_time_zone,
                   TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())
            """)
        facts.databaseName = session.first?.string(0) ?? ""
        facts.account = session.first?.string(1) ?? ""
        facts.sessionTimeZone = session.first?.string(2) ?? ""
        facts.systemTimeZone = session.first?.string(3) ?? ""
        facts.sessionOffsetSeconds = session.first?.int(4) ?? 0
        facts.databaseCollation = try connection.query(
            "SELECT DEFAULT_COLLATION_NAME FROM information_schema.schemata WHERE schema_name = DATABASE()"
        ).first?.string(0) ?? ""

        var present = Set<String>()
        for row in try connection.query("""
            SELECT table_name, table_collation, table_rows, data_length FROM information_schema.tables
             WHERE table_schema = DATABASE()
            """) {
            guard let name = row.string(0) else { continue }
            present.insert(name)
            if tables.contains(name) { facts.tableCollations[name] = row.string(1) ?? "" }
            if name == "fusio_token" {
                facts.tokenRows = row.int(2) ?? 0
                facts.tokenDataBytes = row.int(3) ?? 0
            }
        }
        for row in try connection.query("""
            SELECT table_name, column_name, data_type, character_maximum_length, is_nullable
              FROM information_schema.columns WHERE table_schema = DATABASE()
            """) {
            guard let table = row.string(0), tables.contains(table), let column = row.string(1) else { continue }
            facts.columns[table, default: [:]][column] = ColumnFacts(
                dataType: row.string(2) ?? "", length: row.int(3), nullable: row.string(4) == "YES")
        }
        if present.contains("doctrine_migration_versions") {
            facts.migrations = try connection.query("SELECT version FROM doctrine_migration_versions").compactMap { $0.string(0) }
        }
        try gatherPrivileges(into: &facts)
        if present.contains("fusio_token") {
            facts.oldestExpiredToken = try connection.query(
                "SELECT MIN(expire) FROM fusio_token WHERE expire < ?", [.text(now.databaseString)]).first?.string(0)
            facts.recentTokens = try connection.query(
                "SELECT id, token FROM fusio_token ORDER BY id DESC LIMIT ?", [.int(Int64(Self.recentTokenLimit))]
            ).compactMap { row in
                guard let id = row.int(0), let token = row.string(1) else { return nil }
                return StoredTokenString(id: id, token: token)
            }
        }
        return facts
    }

    /// Grants of the matched account (information_schema shows an account its own): global, on this database
    /// or a pattern covering it (GRANT … ON `fusio%`.*), and per table.
    private func gatherPrivileges(into facts: inout DatabaseFacts) throws {
        let grantee = facts.quotedAccount
        for row in try connection.query("""
            SELECT privilege_type FROM information_schema.user_privileges WHERE grantee = ?
            UNION SELECT privilege_type FROM information_schema.schema_privileges
             WHERE grantee = ? AND DATABASE() LIKE table_schema
            """, [.text(grantee), .text(grantee)]) {
            if let privilege = row.string(0) { facts.databasePrivileges.insert(privilege) }
        }
        for row in try connection.query("""
            SELECT table_name, privilege_type FROM information_schema.table_privileges
             WHERE grantee = ? AND table_schema = DATABASE()
            """, [.text(grantee)]) {
            if let table = row.string(0), let privilege = row.string(1) {
                facts.tablePrivileges[table, default: []].insert(privilege)
            }
        }
        facts.procedure = try probeProcedure()
    }

    /// Calls the procedure without arguments: the server checks existence and EXECUTE first and then refuses the
    /// argument count, so nothing runs.
    private func probeProcedure() throws -> ProcedureAccess {
        do {
            try connection.execute("CALL \(RequiredSchema.procedure)()")
            return .callable
        } catch let error as MariaDBError where error.code == Self.wrongArgumentCount {
            return .callable
        } catch let error as MariaDBError where Self.accessDenied.contains(error.code) {
            return .denied
        } catch let error as MariaDBError where error.code == Self.doesNotExist {
            return .missing
        }
    }
}
