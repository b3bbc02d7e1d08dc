import ArgumentParser
import Glibc
import Logging

@main
struct FusioAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusio-auth",
        abstract: "FastCGI worker pool serving Fusio's login and token endpoints from Fusio's MariaDB.",
        subcommands: [ServeCommand.self, WorkerCommand.self, MigrateCommand.self, UserCommand.self, AppCommand.self,
                      DoctorCommand.self, CleanupCommand.self])
}

/// Options every database-touching command shares.
struct EnvironmentOptions: ParsableArguments {
    @Option(name: .long, help: "Fusio .env file (APP_URL, APP_PROJECT_KEY, APP_CONNECTION, …); the process environment overrides it.")
    var env: String
}

enum Bootstrap {
    nonisolated(unsafe) private static var logging = false

    static func logger(_ label: String) -> Logger {
        if !logging {
            LoggingSystem.bootstrap { StandardErrorLogHandler(label: $0) }
            logging = true
        }
        return Logger(label: label)
    }

    /// One line on stderr and exit status 1: the configuration or database error, never a secret.
    static func fail(_ message: String) -> Never {
        let line = "fusio-auth: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(1)
    }
}
