import FusioAuth
import Testing

@Suite struct DatabaseLocationTests {
    @Test func decodesUserPasswordAndParameters() throws {
        let location = try DatabaseLocation.parse(
            "pdo-mysql://fusio:p%40ss%3Aw%2Fd@localhost/fusio?unix_socket=/tmp/x.sock&charset=utf8mb4")
        #expect(location.scheme == "pdo-mysql")
        #expect(location.user == "fusio")
        #expect(location.password == "p@ss:w/d")
        #expect(location.host == "localhost")
        #expect(location.port == nil)
        #expect(location.database == "fusio")
        #expect(location.unixSocket == "/tmp/x.sock")
        #expect(location.charset == "utf8mb4")
    }

    @Test func readsTheDistributionDefault() throws {
        let location = try DatabaseLocation.parse("pdo-mysql://root:test1234@localhost/fusio")
        #expect(
            location
                == DatabaseLocation(
                    scheme: "pdo-mysql", user: "root", password: "test1234", host: "localhost", database: "fusio"))
    }

    @Test(arguments: ["pdo-mysql", "pdo_mysql", "mysql", "mysqli"])
    func acceptsMySQLSchemes(scheme: String) throws {
        let location = try DatabaseLocation.parse("\(scheme)://u:p@db.example:3307/app")
        #expect(location.scheme == scheme)
        #expect(location.host == "db.example")
        #expect(location.port == 3307)
    }

    @Test func handlesIPv6HostsAndMissingPassword() throws {
        let location = try DatabaseLocation.parse("mysql://u@[::1]:3306/db")
        #expect(location.host == "::1")
        #expect(location.port == 3306)
        #expect(location.password == "")
    }

    @Test func splitsAtTheLastAtSignLikeParseURL() throws {
        let location = try DatabaseLocation.parse("mysql://u:p@ss@host/db")
        #expect(location.user == "u")
        #expect(location.password == "p@ss")
        #expect(location.host == "host")
    }

    @Test func ignoresUnknownParametersAndDecodesValues() throws {
        let location = try DatabaseLocation.parse("mysql://u:p@h/d%20b?serverVersion=10.11&charset=utf8%6Db4&x")
        #expect(location.database == "d b")
        #expect(location.charset == "utf8mb4")
        #expect(location.unixSocket == nil)
    }

    @Test(arguments: [
        "pdo-pgsql://u:p@h/db",
        "localhost/fusio",
        "mysql://h/db",
        "mysql://:secretpw@h/db",
        "mysql://u:secretpw@/db",
        "mysql://u:secretpw@h",
        "mysql://u:secretpw@h/",
        "mysql://u:secretpw@h:0/db",
        "mysql://u:secretpw@h:65536/db",
        "mysql://u:secretpw@h:33a/db",
        "mysql://u:secretpw@h:/db",
        "mysql://u:secret%FFpw@h/db",
    ])
    func rejectsIncompleteDSNs(dsn: String) {
        #expect {
            try DatabaseLocation.parse(dsn)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == "APP_CONNECTION" && !error.description.contains("secret")
        }
    }

    @Test func descriptionsRedactThePassword() throws {
        let location = try DatabaseLocation.parse("pdo-mysql://fusio:hunter2%40x@localhost:3306/fusio?charset=utf8mb4")
        var dumped = ""
        dump(location, to: &dumped)
        for text in [location.description, String(reflecting: location), "\(location)", dumped] {
            #expect(!text.contains("hunter2"))
            #expect(text.contains("****"))
        }
        #expect(location.description == "pdo-mysql://fusio:****@localhost:3306/fusio?charset=utf8mb4")
    }
}
