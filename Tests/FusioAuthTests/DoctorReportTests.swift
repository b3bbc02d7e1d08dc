import FusioAuth
import Testing

@Suite struct DoctorReportTests {
    let checks = DoctorReport.databaseChecks(key: DoctorFacts.key, appURL: DoctorFacts.appURL, now: DoctorFacts.now)
    let configuration = ConfigurationCheck(appURL: DoctorFacts.appURL, keyLength: 32, loadError: nil)

    @Test func aReadyDatabasePassesEveryCheck() {
        let report = DoctorReport.evaluate(configuration: configuration, facts: DoctorFacts.ready(), checks: checks)
        #expect(report.results.map(\.status) == Array(repeating: .ok, count: 8))
        #expect(report.isReady)
        #expect(report.lines.last == "ready")
    }

    @Test func oneFailureMakesItNotReadyAndWarningsDoNot() {
        var facts = DoctorFacts.ready()
        facts.sessionOffsetSeconds = 3600
        #expect(DoctorReport.evaluate(configuration: configuration, facts: facts, checks: checks).isReady)
        facts.procedure = .denied
        let report = DoctorReport.evaluate(configuration: configuration, facts: facts, checks: checks)
        #expect(!report.isReady)
        #expect(report.lines.last == "not ready")
    }

    @Test func anUnreachableDatabaseIsOneFailedLine() {
        let down = CheckResult(name: "database", status: .fail, detail: "cannot read", fix: "check APP_CONNECTION")
        let report = DoctorReport.evaluate(configuration: configuration, facts: nil, checks: checks, unreachable: down)
        #expect(report.results.map(\.name) == ["config", "database"])
        #expect(!report.isReady)
    }

    @Test func aLineCarriesStatusNameDetailAndFix() {
        let result = CheckResult(name: "key", status: .fail, detail: "does not verify", fix: "copy the key")
        #expect(result.line == "FAIL  key           does not verify — fix: copy the key")
    }

    @Test func aShortKeyFailsWithoutTheKey() {
        let result = ConfigurationCheck(appURL: DoctorFacts.appURL, keyLength: 20, loadError: nil).evaluate()
        #expect(result.status == .fail)
        #expect(result.detail.contains("20 bytes, needs at least 32"))
    }

    @Test func theFusioReleaseFollowsTheNewestFusioMigration() {
        var facts = DoctorFacts.ready()
        facts.migrations = ["Fusio\\Impl\\Migrations\\Version20240721005146", "App\\Migrations\\Version20990101000000"]
        let older = MigrationVersionCheck().evaluate(facts)
        #expect(older.status == .warn)
        #expect(older.detail.hasPrefix("Fusio 8.2.2 or later, before 8.8.4"))
        facts.migrations = []
        #expect(MigrationVersionCheck().evaluate(facts).detail.contains("no Fusio row"))
        facts.migrations = nil
        #expect(MigrationVersionCheck().evaluate(facts).status == .fail)
    }

    @Test func oldExpiredTokensSuggestCleanup() {
        var facts = DoctorFacts.ready()
        facts.oldestExpiredToken = UnixTime(seconds: DoctorFacts.now.seconds - 31 * 86_400).databaseString
        let stale = TokenTableCheck(now: DoctorFacts.now).evaluate(facts)
        #expect(stale.status == .warn)
        #expect(stale.fix?.contains("fusio-auth cleanup") == true)
        facts.oldestExpiredToken = UnixTime(seconds: DoctorFacts.now.seconds - 86_400).databaseString
        #expect(TokenTableCheck(now: DoctorFacts.now).evaluate(facts).status == .ok)
    }

    @Test func aSessionAwayFromUTCIsNamedWithItsOffset() {
        var facts = DoctorFacts.ready()
        facts.sessionOffsetSeconds = -(5 * 3600 + 30 * 60)
        let result = TimeZoneCheck().evaluate(facts)
        #expect(result.status == .warn)
        #expect(result.detail.contains("UTC-5:30"))
    }

    @Test func anotherCharsetFailsAndAnotherCollationWarns() {
        var facts = DoctorFacts.ready()
        facts.tableCollations["fusio_app"] = "utf8mb4_general_ci"
        #expect(CollationCheck().evaluate(facts).status == .warn)
        facts.tableCollations["fusio_user"] = "latin1_swedish_ci"
        let result = CollationCheck().evaluate(facts)
        #expect(result.status == .fail)
        #expect(result.detail.contains("fusio_user (latin1_swedish_ci)"))
    }
}
