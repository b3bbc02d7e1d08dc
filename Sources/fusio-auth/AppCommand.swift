import ArgumentParser
import FusioAuth

struct AppCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app", abstract: "Manage Fusio apps (OAuth clients).", subcommands: [AddApp.self])

    struct AddApp: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Create an active app for a user; prints its key and secret once.")

        @OptionGroup var environment: EnvironmentOptions
        @Option(help: "Name of the owning user.") var user: String
        @Option(help: "App name (3–64 of A-Z a-z 0-9 - _).") var name: String
        @Option(help: "App URL (http or https); redirect URIs must be on its host.") var url: String
        @Option(help: "Comma-separated scope names granted to the app.") var scopes: String = ""

        func run() throws {
            guard (3...64).contains(name.utf8.count), name.utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            }) else { Bootstrap.fail("--name must be 3–64 characters of A-Z a-z 0-9 - _") }
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.utf8.count <= 255 else {
                Bootstrap.fail("--url must be an http(s) URL of at most 255 characters")
            }
            let settings = AdminSession.settings(environment)
            let key = FusioUUID.pseudoRandom()
            let secret = TokenGenerator.appSecret()
            let scopeNames = scopes.split(separator: ",").map(String.init).filter { !$0.isEmpty }
            do {
                let id = try AdminSession.administration(settings).createApp(
                    userName: user, name: name, url: url, scopes: scopeNames, key: key, secret: secret,
                    now: SystemClock().now())
                print("app_id=\(id)")
                print("app_key=\(key)")
                print("app_secret=\(secret)")
            } catch {
                Bootstrap.fail("app add failed: \(error)")
            }
        }
    }
}
