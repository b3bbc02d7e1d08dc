import FusioAuth
import Testing

@Suite struct SchemaCheckTests {
    @Test func namesAMissingTableAndColumn() {
        var facts = DoctorFacts.ready()
        facts.columns["fusio_token"]?["refresh"] = nil
        facts.columns["fusioauth_login_source"] = nil
        let result = SchemaCheck().evaluate(facts)
        #expect(result.status == .fail)
        #expect(result.detail == "table fusioauth_login_source missing; fusio_token.refresh missing")
    }

    @Test func refusesAShorterTextAWrongTypeAndNotNullWhereNullIsWritten() {
        var facts = DoctorFacts.ready()
        facts.columns["fusio_token"]?["token"] = ColumnFacts(dataType: "VARCHAR", length: 255, nullable: false)
        facts.columns["fusio_token"]?["expire"] = ColumnFacts(dataType: "varchar", length: 32, nullable: true)
        facts.columns["fusio_token"]?["app_id"] = ColumnFacts(dataType: "int", length: nil, nullable: false)
        let detail = SchemaCheck().evaluate(facts).detail
        #expect(detail.contains("fusio_token.token is VARCHAR(255), needs at least 512"))
        #expect(detail.contains("fusio_token.expire is VARCHAR, needs DATETIME"))
        #expect(detail.contains("fusio_token.app_id is NOT NULL, must allow NULL"))
    }

    @Test func acceptsWiderAndRelatedTypes() {
        var facts = DoctorFacts.ready()
        facts.columns["fusio_token"]?["token"] = ColumnFacts(dataType: "varchar", length: 1024, nullable: true)
        facts.columns["fusio_token"]?["id"] = ColumnFacts(dataType: "bigint", length: nil, nullable: false)
        #expect(SchemaCheck().evaluate(facts).status == .ok)
    }

    @Test func ownTablesAloneAreFixedByMigrate() {
        var facts = DoctorFacts.ready()
        facts.columns["fusioauth_code_challenge"] = nil
        #expect(SchemaCheck().evaluate(facts).fix == "run fusio-auth migrate")
    }

    @Test func countsWhatItDoesNotShow() {
        var facts = DoctorFacts.ready()
        facts.columns["fusio_log"] = [:]
        #expect(SchemaCheck().evaluate(facts).detail.hasSuffix("and 9 more"))
    }
}
