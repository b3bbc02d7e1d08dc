import ArgumentParser
import FusioAuth
import FusioAuthMariaDB
import Glibc
import MariaDB

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create Fusio's auth tables and default rows in an empty database; on an existing Fusio database only add fusio-auth's own tables.")

    @OptionGroup var environment: EnvironmentOptions

    @Option(name: .customLong("sql-dir"), help: "Folder with fusio-schema.sql, fusio-seed.sql and fusio-auth.sql (default: the sql/ folder next to the build).")
    var sqlDirectory: String?

    func run() throws {
        let settings = AdminSession.settings(environment)
        guard let directory = sqlDirectory ?? Self.findSQLDirectory() else {
            Bootstrap.fail("cannot find the sql/ folder; pass --sql-dir")
        }
        do {
            let schema = try FileReader.read(directory + "/fusio-schema.sql")
            let seed = try FileReader.read(directory + "/fusio-seed.sql")
            let own = try FileReader.read(directory + "/fusio-auth.sql")
            let routines = try FileReader.read(directory + "/fusio-auth-routines.sql")
            let administration = AdminSession.administration(settings)
            switch try administration.migrate(schema: schema, seed: seed, own: own, routines: routines,
                                              now: SystemClock().now()) {
            case .createdFusioSchema(let tables):
                print("created the Fusio 8.8.4 auth schema (\(tables) tables) with its default rows, and fusio-auth's own tables")
            case .existingFusioSchema(let tables):
                print("existing Fusio database (\(tables) fusio_/doctrine_ tables): left them unchanged; ensured fusio-auth's own fusioauth_* tables")
            }
            if !administration.routinesCreated {
                print("note: no CREATE ROUTINE privilege, fusioauth_issue_token not created; tokens are written with separate statements (slower)")
            }
        } catch {
            Bootstrap.fail("migrate failed: \(error)")
        }
    }

    /// Walks up from the executable (e.g. .build/release/fusio-auth) to the checkout's sql/ folder.
    static func findSQLDirectory() -> String? {
        var directory = ServeCommand.executablePath()
        while let slash = directory.lastIndex(of: "/"), slash != directory.startIndex {
            directory = String(directory[..<slash])
            for candidate in [directory + "/sql", directory + "/share/fusio-auth/sql"]
            where access(candidate + "/fusio-schema.sql", R_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}

/// Settings and a database connection for one administrative command.
enum AdminSession {
    static func settings(_ options: EnvironmentOptions) -> Settings {
        do {
            return try ConfigurationLoader.load(envFile: options.env)
        } catch {
            Bootstrap.fail("\(error)")
        }
    }

    static func administration(_ settings: Settings) -> FusioAdministration {
        FusioAdministration(connection: connectedOrFail(settings), tenantID: settings.tenantID)
    }

    /// A connected connection, or one line naming the database (never its password) and exit status 1.
    static func connectedOrFail(_ settings: Settings) -> MariaDBConnection {
        do {
            return try connection(settings)
        } catch {
            Bootstrap.fail("cannot connect to the database \(settings.database): \(error)")
        }
    }

    /// A connected connection for this process's one administrative thread.
    static func connection(_ settings: Settings) throws -> MariaDBConnection {
        MariaDBConnection.initializeLibrary()
        let connection = MariaDBConnection(configuration: ConfigurationLoader.mariaDB(settings))
        try connection.connect()
        return connection
    }
}
