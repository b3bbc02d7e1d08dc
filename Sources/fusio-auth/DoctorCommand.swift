import ArgumentParser
import FusioAuth
import FusioAuthMariaDB
import Glibc
import MariaDB

/// `fusio-auth doctor`: is this Fusio database ready for fusio-auth? One line per check, a fix on every line that
/// is not ok, exit status 0 when nothing failed. Reads only; prints no secret.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check an existing Fusio database and .env for fusio-auth: one line per check with a fix; exit 0 ready, 1 not.")

    @OptionGroup var environment: EnvironmentOptions

    func run() throws {
        let report = Self.examine(environment)
        for line in report.lines { print(line) }
        if !report.isReady { throw ExitCode(1) }
    }

    static func examine(_ options: EnvironmentOptions) -> DoctorReport {
        let file: [String: String]
        do {
            file = try EnvFile.parse(try FileReader.read(options.env))
        } catch {
            Bootstrap.fail("cannot read \(options.env): \(error)")
        }
        let process = ConfigurationLoader.processEnvironment()
        func value(_ key: String) -> String? { process[key] ?? file[key] }

        var settings: Settings?
        var loadError: ConfigurationError?
        do {
            settings = try Settings.load(file: file, environment: process)
        } catch {
            loadError = error
        }
        let configuration = ConfigurationCheck(appURL: value("APP_URL"), keyLength: value("APP_PROJECT_KEY")?.utf8.count ?? 0,
                                               loadError: loadError)
        guard let settings else {
            return DoctorReport.evaluate(configuration: configuration, facts: nil, checks: [], unreachable: CheckResult(
                name: "database", status: .fail, detail: "not checked: the configuration is invalid",
                fix: "correct the configuration line above"))
        }
        let now = SystemClock().now()
        let checks = DoctorReport.databaseChecks(key: settings.projectKey, appURL: settings.baseURL, now: now)
        do {
            let connection = try AdminSession.connection(settings)
            let facts = try MariaDBDatabaseInspector(connection: connection)
                .gatherFacts(requirements: RequiredSchema.columns, now: now)
            return DoctorReport.evaluate(configuration: configuration, facts: facts, checks: checks)
        } catch {
            return DoctorReport.evaluate(configuration: configuration, facts: nil, checks: checks, unreachable: CheckResult(
                name: "database", status: .fail, detail: "cannot read \(settings.database): \(error)",
                fix: "check APP_CONNECTION (user, password, socket or host) and that MariaDB is running"))
        }
    }
}
