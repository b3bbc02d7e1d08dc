import FusioAuth
import FusioCrypto

/// Facts of a database that passes every check, for the doctor's unit tests to spoil one at a time.
enum DoctorFacts {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)
    static let appURL = "https://api.example.com"
    static let now = UnixTime(seconds: 1_800_000_000)

    static func ready() -> DatabaseFacts {
        var facts = DatabaseFacts()
        facts.databaseName = "fusio"
        facts.account = "fusio@localhost"
        facts.migrations = ["Fusio\\Impl\\Migrations\\Version20260604202836"]
        for requirement in RequiredSchema.columns {
            facts.columns[requirement.table, default: [:]][requirement.column] = ColumnFacts(
                dataType: dataType(requirement.kind), length: requirement.length, nullable: requirement.nullable)
            facts.tableCollations[requirement.table] = RequiredSchema.collation
        }
        facts.databaseCollation = RequiredSchema.collation
        facts.databasePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "EXECUTE", "CREATE ROUTINE"]
        facts.procedure = .callable
        facts.sessionTimeZone = "SYSTEM"
        facts.systemTimeZone = "UTC"
        facts.recentTokens = [StoredTokenString(id: 7, token: token(["iss": .string(appURL), "exp": .int(1)]))]
        return facts
    }

    /// An HS256 token over `claims`, signed with `key`.
    static func token(_ claims: JSONObject, key: [UInt8] = key) -> String {
        JSONWebToken.sign(payload: claims, key: key)
    }

    private static func dataType(_ kind: ColumnKind) -> String {
        switch kind {
        case .integer: "int"
        case .text: "varchar"
        case .longText: "longtext"
        case .dateTime: "datetime"
        }
    }
}
