import FusioAuth
import Testing

@Suite struct SettingsTests {
    static let key = "cee262a5a1bdd205cbfe0dfc2ad4eddf"
    static let file: [String: String] = [
        "APP_URL": "https://api.example.com/",
        "APP_PROJECT_KEY": key,
        "APP_CONNECTION": "pdo-mysql://fusio:s3cr3t-pw@localhost/fusio",
        "APP_TENANT_ID": "",
        "APP_TRUSTED_IP_HEADER": "",
    ]

    func failure(_ file: [String: String], _ environment: [String: String] = [:]) -> ConfigurationError? {
        do {
            _ = try Settings.load(file: file, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func loadsWithDefaults() throws {
        let settings = try Settings.load(file: Self.file, environment: [:])
        #expect(settings.baseURL == "https://api.example.com/")
        #expect(settings.projectKey == Array(Self.key.utf8))
        #expect(settings.database.password == "s3cr3t-pw")
        #expect(settings.tenantID == nil)
        #expect(settings.trustedIPHeader == nil)
        #expect(settings.tokenLifetime == ISODuration(days: 2))
        #expect(settings.refreshLifetime == ISODuration(days: 3))
    }

    @Test func environmentOverridesFile() throws {
        let settings = try Settings.load(
            file: Self.file,
            environment: [
                "APP_URL": "http://127.0.0.1", "APP_TENANT_ID": "tenant_1", "APP_TRUSTED_IP_HEADER": "X-Forwarded-For",
                "FUSIO_EXPIRE_TOKEN": "PT1H", "FUSIO_EXPIRE_REFRESH": "P7D",
            ])
        #expect(settings.baseURL == "http://127.0.0.1")
        #expect(settings.tenantID == "tenant_1")
        #expect(settings.trustedIPHeader == "X-Forwarded-For")
        #expect(settings.tokenLifetime == ISODuration(hours: 1))
        #expect(settings.refreshLifetime == ISODuration(days: 7))
    }

    @Test func anEmptyEnvironmentValueStillWins() {
        #expect(failure(Self.file, ["APP_URL": ""])?.key == "APP_URL")
    }

    @Test func projectKeyIsRequiredAndLongEnough() {
        var file = Self.file
        file["APP_PROJECT_KEY"] = nil
        #expect(failure(file)?.key == "APP_PROJECT_KEY")
        file["APP_PROJECT_KEY"] = "short-secret-key-0123456789abcd"  // 31 bytes
        let error = failure(file)
        #expect(error?.key == "APP_PROJECT_KEY")
        #expect(error?.description.contains("short-secret") == false)
    }

    @Test(arguments: ["", "ftp://example.com", "example.com", "http://", "https:///path", "http://exa mple.com"])
    func baseURLMustBeAbsoluteHTTP(url: String) {
        var file = Self.file
        file["APP_URL"] = url
        #expect(failure(file)?.key == "APP_URL")
    }

    @Test func connectionIsRequired() {
        var file = Self.file
        file["APP_CONNECTION"] = nil
        #expect(failure(file)?.key == "APP_CONNECTION")
        file["APP_CONNECTION"] = "pdo-mysql://fusio:s3cr3t-pw@localhost"
        let error = failure(file)
        #expect(error?.key == "APP_CONNECTION")
        #expect(error?.description.contains("s3cr3t") == false)
    }

    @Test(arguments: ["ab", "has-dash", String(repeating: "a", count: 65), "tenant id"])
    func tenantMustMatchFusioPattern(tenant: String) {
        var file = Self.file
        file["APP_TENANT_ID"] = tenant
        #expect(failure(file)?.key == "APP_TENANT_ID")
    }

    @Test func trustedHeaderMustBeAToken() {
        var file = Self.file
        file["APP_TRUSTED_IP_HEADER"] = "X-Forwarded For"
        #expect(failure(file)?.key == "APP_TRUSTED_IP_HEADER")
    }

    @Test func lifetimesMustParse() {
        var file = Self.file
        file["FUSIO_EXPIRE_TOKEN"] = "2 days"
        #expect(failure(file)?.key == "FUSIO_EXPIRE_TOKEN")
        file["FUSIO_EXPIRE_TOKEN"] = nil
        file["FUSIO_EXPIRE_REFRESH"] = "P"
        #expect(failure(file)?.key == "FUSIO_EXPIRE_REFRESH")
    }

    @Test func descriptionsRedactSecrets() throws {
        let settings = try Settings.load(file: Self.file, environment: [:])
        var dumped = ""
        dump(settings, to: &dumped)
        for text in [settings.description, String(reflecting: settings), "\(settings)", dumped] {
            #expect(!text.contains(Self.key))
            #expect(!text.contains("s3cr3t-pw"))
            #expect(text.contains("https://api.example.com/"))
        }
    }

    @Test func queueTimeoutDefaultsToTwoSecondsAndParsesSecondsAndMilliseconds() throws {
        let base = ["APP_URL": "http://127.0.0.1", "APP_PROJECT_KEY": String(repeating: "k", count: 32),
                    "APP_CONNECTION": "pdo-mysql://u:p@localhost/fusio"]
        #expect(try Settings.load(file: base, environment: [:]).queueTimeoutMilliseconds == 2000)
        for (text, expected) in [("3", 3000), ("1.5", 1500), ("2s", 2000), ("250ms", 250)] {
            #expect(try Settings.load(file: base, environment: ["FUSIO_AUTH_QUEUE_TIMEOUT": text]).queueTimeoutMilliseconds == expected)
        }
        for bad in ["0", "-1", "abc", "1e9", "700"] {
            #expect(throws: ConfigurationError.self) {
                try Settings.load(file: base, environment: ["FUSIO_AUTH_QUEUE_TIMEOUT": bad])
            }
        }
    }

    @Test func databaseFailBackDefaultsToThirtySecondsAndTakesWholeSecondsUpToADay() throws {
        let base = ["APP_URL": "http://127.0.0.1", "APP_PROJECT_KEY": String(repeating: "k", count: 32),
                    "APP_CONNECTION": "pdo-mysql://u:p@localhost/fusio"]
        #expect(try Settings.load(file: base, environment: [:]).databaseFailBackSeconds == 30)
        for (text, expected) in [("0", 0), ("1", 1), ("600", 600), ("86400", 86_400)] {
            #expect(try Settings.load(file: base, environment: ["FUSIO_AUTH_DB_FAILBACK": text]).databaseFailBackSeconds == expected)
        }
        for bad in ["-1", "1.5", "30s", "86401", "999999999999999999999", " 5"] {
            #expect(throws: ConfigurationError.self) {
                try Settings.load(file: base, environment: ["FUSIO_AUTH_DB_FAILBACK": bad])
            }
        }
    }
}
