import ArgumentParser
import FusioAuth
import FusioCrypto
import Glibc

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage Fusio users.", subcommands: [AddUser.self])

    struct AddUser: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Create an active user (bcrypt $2y$ cost 12, role scopes copied as Fusio does).")

        @OptionGroup var environment: EnvironmentOptions
        @Option(help: "Login name (3–64 of A-Z a-z 0-9 - _ .).") var name: String
        @Option(help: "E-mail address.") var email: String
        @Option(help: "Password (prefer --password-stdin: arguments are visible to other local users).") var password: String?
        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.") var passwordStdin = false
        @Option(help: "Role whose scopes the user gets.") var role: String = "Consumer"

        func run() throws {
            guard UserCommand.isValidName(name) else { Bootstrap.fail("--name must be 3–64 characters of A-Z a-z 0-9 - _ .") }
            guard email.contains("@"), email.utf8.count <= 128 else { Bootstrap.fail("--email must be an e-mail address of at most 128 characters") }
            let secret: String
            switch (password, passwordStdin) {
            case (let given?, false): secret = given
            case (nil, true): secret = readLine(strippingNewline: true) ?? ""
            default: Bootstrap.fail("give exactly one of --password and --password-stdin")
            }
            guard secret.utf8.count >= 8 else { Bootstrap.fail("the password must be at least 8 characters long") }
            let settings = AdminSession.settings(environment)
            let hash = BCrypt().hash(password: Array(secret.utf8), cost: 12)
            do {
                let id = try AdminSession.administration(settings).createUser(
                    name: name, email: email, passwordHash: hash, roleName: role, now: SystemClock().now())
                print("user_id=\(id)")
            } catch {
                Bootstrap.fail("user add failed: \(error)")
            }
        }
    }

    static func isValidName(_ name: String) -> Bool {
        (3...64).contains(name.utf8.count) && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }
}
