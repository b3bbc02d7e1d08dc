/// The doctor's answer: one result per check, ready when none failed.
public struct DoctorReport: Sendable {
    public let results: [CheckResult]

    public init(results: [CheckResult]) {
        self.results = results
    }

    /// The configuration first, then every database check on `facts`; without facts (the database was not reached)
    /// `unreachable` stands in for them.
    public static func evaluate(configuration: ConfigurationCheck, facts: DatabaseFacts?, checks: [any DoctorCheck],
                                unreachable: CheckResult? = nil) -> DoctorReport {
        var results = [configuration.evaluate()]
        if let facts {
            results += checks.map { $0.evaluate(facts) }
        } else if let unreachable {
            results.append(unreachable)
        }
        return DoctorReport(results: results)
    }

    /// The database checks in report order.
    public static func databaseChecks(key: [UInt8], appURL: String, now: UnixTime) -> [any DoctorCheck] {
        [MigrationVersionCheck(), SchemaCheck(), CollationCheck(), PrivilegeCheck(), TimeZoneCheck(),
         TokenTableCheck(now: now), KeyAgreementCheck(key: key, appURL: appURL, now: now)]
    }

    public var isReady: Bool {
        !results.contains { $0.status == .fail }
    }

    public var lines: [String] {
        results.map(\.line) + [isReady ? "ready" : "not ready"]
    }
}
