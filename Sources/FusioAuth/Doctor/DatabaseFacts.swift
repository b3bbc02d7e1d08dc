/// What the doctor learns from the database, gathered in one pass by a `DatabaseInspector` and judged by the
/// checks. Token strings are kept only to verify one signature; nothing prints them.
public struct DatabaseFacts: Sendable {
    public var databaseName = ""
    /// `CURRENT_USER()`, the account the server matched (`user@host`).
    public var account = ""

    /// `doctrine_migration_versions` rows; nil when the table does not exist.
    public var migrations: [String]?

    /// table → column → facts, for the tables of `RequiredSchema`.
    public var columns: [String: [String: ColumnFacts]] = [:]
    /// table → TABLE_COLLATION.
    public var tableCollations: [String: String] = [:]
    public var databaseCollation = ""

    /// Privileges on every table of the database: global grants and grants on this database (or a pattern
    /// matching it), upper case (`SELECT`, `CREATE ROUTINE`, `ALL PRIVILEGES` is expanded by the server).
    public var databasePrivileges: Set<String> = []
    /// table → privileges granted on that table only.
    public var tablePrivileges: [String: Set<String>] = [:]
    public var procedure: ProcedureAccess = .missing

    public var sessionTimeZone = ""
    public var systemTimeZone = ""
    /// The session's offset from UTC now, in seconds (NOW() − UTC_TIMESTAMP()).
    public var sessionOffsetSeconds = 0

    /// information_schema.tables estimates for `fusio_token`.
    public var tokenRows = 0
    public var tokenDataBytes = 0
    /// `MIN(expire)` among rows already expired, as the database prints it.
    public var oldestExpiredToken: String?

    /// The newest `fusio_token` rows, newest first.
    public var recentTokens: [StoredTokenString] = []

    public init() {}

    /// `account` as GRANT statements and information_schema's GRANTEE column write it: 'user'@'host'.
    public var quotedAccount: String {
        guard let at = account.lastIndex(of: "@") else { return "'\(account)'" }
        return "'\(account[..<at])'@'\(account[account.index(after: at)...])'"
    }

    /// The privileges that apply to `table`.
    public func privileges(on table: String) -> Set<String> {
        databasePrivileges.union(tablePrivileges[table] ?? [])
    }
}

/// A `fusio_token` row's id and token, for the key agreement check.
public struct StoredTokenString: Sendable {
    public let id: Int
    public let token: String

    public init(id: Int, token: String) {
        self.id = id
        self.token = token
    }
}
