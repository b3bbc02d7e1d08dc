import FusioAuth
import Testing

@Suite struct DatabaseHostTests {
    func failure(_ text: String) -> ConfigurationError? {
        do {
            _ = try DatabaseHost.parseList(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesNamesAddressesAndIPv6InOrder() throws {
        let hosts = try DatabaseHost.parseList("db1.example.com:3306, 10.0.0.2:3307 ,[::1]:3308")
        #expect(hosts == [
            DatabaseHost(host: "db1.example.com", port: 3306), DatabaseHost(host: "10.0.0.2", port: 3307),
            DatabaseHost(host: "::1", port: 3308),
        ])
        #expect(hosts.map(\.description) == ["db1.example.com:3306", "10.0.0.2:3307", "[::1]:3308"])
    }

    @Test(arguments: [
        "", "db1:3306,", ",db1:3306", "db1", "db1:", "db1:0", "db1:65536", "db1:33a6", "db1:3306:1", "::1:3306",
        "[::1]", "[::1]3306", "[::1:3306", ":3306", "db 1:3306", "db1:3306/x", "db1:3306,db1:3306",
    ])
    func refusesMalformedListsNamingTheKey(text: String) {
        #expect(failure(text)?.key == "FUSIO_AUTH_DB_HOSTS")
    }

    @Test func settingsReadTheListNextToAppConnection() throws {
        var file = SettingsTests.file
        #expect(try Settings.load(file: file, environment: [:]).databaseHosts.isEmpty)
        file["FUSIO_AUTH_DB_HOSTS"] = "127.0.0.1:4001,127.0.0.1:4002"
        let settings = try Settings.load(file: file, environment: [:])
        #expect(settings.databaseHosts.map(\.port) == [4001, 4002])
        #expect(settings.database.user == "fusio")
        file["FUSIO_AUTH_DB_HOSTS"] = "127.0.0.1"
        #expect(throws: ConfigurationError.self) { try Settings.load(file: file, environment: [:]) }
    }

    @Test func anEmptyValueMeansNoList() throws {
        var file = SettingsTests.file
        file["FUSIO_AUTH_DB_HOSTS"] = ""
        #expect(try Settings.load(file: file, environment: [:]).databaseHosts.isEmpty)
    }
}
