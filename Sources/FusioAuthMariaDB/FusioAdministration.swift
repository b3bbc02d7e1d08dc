import FusioAuth
import MariaDB

/// What the `migrate`, `user add` and `app add` commands do to the database. Not used on request paths.
public final class FusioAdministration {
    private let connection: MariaDBConnection
    private let tenant: MariaDBValue
    /// After `migrate`: whether `fusioauth_issue_token` could be created (needs CREATE ROUTINE).
    public private(set) var routinesCreated = false

    public init(connection: MariaDBConnection, tenantID: String?) {
        self.connection = connection
        self.tenant = tenantID.map { .text($0) } ?? .null
    }

    // MARK: - migrate

    /// The result of `migrate`, for the command to report.
    public enum MigrationOutcome: Sendable, Equatable {
        /// The database was empty: the Fusio schema, its default rows and our tables were created.
        case createdFusioSchema(tables: Int)
        /// Fusio's tables were there and were left untouched; only fusio-auth's own tables were ensured.
        case existingFusioSchema(tables: Int)
    }

    /// `schema`, `seed` and `own` are the SQL scripts of `sql/`. A database with any `fusio_` table is treated as
    /// an existing installation: none of its `fusio_*`/`doctrine_*` tables is changed.
    public func migrate(schema: String, seed: String, own: String, routines: String, now: UnixTime) throws -> MigrationOutcome {
        let before = try fusioTableCount()
        let outcome: MigrationOutcome
        if before == 0 {
            try connection.executeScript(schema)
            try connection.executeScript(seed)
            outcome = .createdFusioSchema(tables: try fusioTableCount())
        } else {
            guard try tableExists("fusio_token"), try tableExists("fusio_app"), try tableExists("fusio_user") else {
                throw AdministrationError("the database has fusio_ tables but no fusio_token/fusio_app/fusio_user: not a Fusio 8 database")
            }
            outcome = .existingFusioSchema(tables: before)
        }
        try connection.executeScript(own)
        try connection.execute("INSERT IGNORE INTO fusioauth_schema (version, applied_at) VALUES (?, ?)",
                               [.int(1), .text(now.databaseString)])
        do {
            try connection.executeStatement(routines)
            routinesCreated = true
        } catch let error as MariaDBError where [1044, 1142, 1227, 1370].contains(error.code) {
            // Without CREATE ROUTINE the server writes tokens with separate statements; nothing breaks.
            routinesCreated = false
        }
        return outcome
    }

    private func fusioTableCount() throws -> Int {
        let rows = try connection.query("""
            SELECT COUNT(*) FROM information_schema.tables
             WHERE table_schema = DATABASE() AND (table_name LIKE 'fusio\\_%' OR table_name LIKE 'doctrine\\_%')
            """)
        return rows.first?.int(0) ?? 0
    }

    private func tableExists(_ name: String) throws -> Bool {
        let rows = try connection.query(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
            [.text(name)])
        return (rows.first?.int(0) ?? 0) > 0
    }

    // MARK: - user add

    /// Creates an active user the way Fusio's `adduser` does: bcrypt hash, and the role's scopes expanded
    /// with all their sub-scopes copied into `fusio_user_scope`.
    public func createUser(name: String, email: String, passwordHash: String, roleName: String, now: UnixTime) throws -> Int {
        guard let roleID = try connection.query(
            "SELECT id FROM fusio_role WHERE tenant_id <=> ? AND name = ? AND status = 1 ORDER BY id LIMIT 1",
            [tenant, .text(roleName)]).first?.int(0) else {
            throw AdministrationError("role '\(roleName)' does not exist")
        }
        // The unique keys include tenant_id, which enforce nothing for the root tenant (NULL): check here.
        let taken = try connection.query(
            "SELECT COUNT(*) FROM fusio_user WHERE tenant_id <=> ? AND (name = ? OR email = ?)",
            [tenant, .text(name), .text(email)])
        guard (taken.first?.int(0) ?? 0) == 0 else { throw AdministrationError("a user with this name or e-mail exists") }
        return try connection.transaction { connection in
            let inserted = try connection.execute("""
                INSERT INTO fusio_user (tenant_id, role_id, plan_id, status, name, email, password, points, date)
                VALUES (?, ?, NULL, 1, ?, ?, ?, NULL, ?)
                """, [tenant, .int(Int64(roleID)), .text(name), .text(email), .text(passwordHash), .text(now.databaseString)])
            let userID = Int64(inserted.lastInsertID)
            try connection.execute("""
                INSERT IGNORE INTO fusio_user_scope (user_id, scope_id)
                SELECT DISTINCT ?, s.id FROM fusio_role_scope rs
                  JOIN fusio_scope r ON r.id = rs.scope_id
                  JOIN fusio_scope s ON (s.id = r.id OR (INSTR(r.name, '.') = 0 AND s.name LIKE CONCAT(r.name, '.%')))
                       AND s.tenant_id <=> ? AND s.status = 1
                 WHERE rs.role_id = ?
                 ORDER BY s.id
                """, [.int(userID), tenant, .int(Int64(roleID))])
            return Int(userID)
        }
    }

    // MARK: - app add

    /// Creates an active app for a user with a fresh key and secret in Fusio's formats (§4.4).
    public func createApp(userName: String, name: String, url: String, scopes: [String], key: String, secret: String,
                          now: UnixTime) throws -> Int {
        guard let userID = try connection.query(
            "SELECT id FROM fusio_user WHERE tenant_id <=> ? AND name = ? ORDER BY id LIMIT 1",
            [tenant, .text(userName)]).first?.int(0) else {
            throw AdministrationError("user '\(userName)' does not exist")
        }
        var scopeIDs: [Int64] = []
        for scope in scopes {
            guard let id = try connection.query(
                "SELECT id FROM fusio_scope WHERE tenant_id <=> ? AND name = ? AND status = 1 ORDER BY id LIMIT 1",
                [tenant, .text(scope)]).first?.int(0) else {
                throw AdministrationError("scope '\(scope)' does not exist")
            }
            scopeIDs.append(Int64(id))
        }
        return try connection.transaction { connection in
            let inserted = try connection.execute("""
                INSERT INTO fusio_app (tenant_id, user_id, status, name, url, parameters, app_key, app_secret, metadata, date)
                VALUES (?, ?, 1, ?, ?, '', ?, ?, NULL, ?)
                """, [tenant, .int(Int64(userID)), .text(name), .text(url), .text(key), .text(secret), .text(now.databaseString)])
            let appID = Int64(inserted.lastInsertID)
            for scopeID in scopeIDs {
                try connection.execute("INSERT IGNORE INTO fusio_app_scope (app_id, scope_id) VALUES (?, ?)",
                                       [.int(appID), .int(scopeID)])
            }
            return Int(appID)
        }
    }
}

/// A refused administrative action; the message names what is wrong, never a secret.
public struct AdministrationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
