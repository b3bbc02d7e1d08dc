import FusioAuth
import Testing

@Suite struct PrivilegeCheckTests {
    @Test func namesEveryMissingPrivilegeAndTheGrant() {
        var facts = DoctorFacts.ready()
        facts.databasePrivileges = ["SELECT"]
        facts.procedure = .denied
        let result = PrivilegeCheck().evaluate(facts)
        #expect(result.status == .fail)
        #expect(result.detail == "fusio@localhost lacks INSERT, UPDATE, DELETE, EXECUTE (for fusioauth_issue_token)")
        #expect(result.fix == "GRANT DELETE, EXECUTE, INSERT, UPDATE ON `fusio`.* TO 'fusio'@'localhost'")
    }

    @Test func tableGrantsCountForTheirTableOnly() {
        var facts = DoctorFacts.ready()
        facts.databasePrivileges = ["SELECT", "INSERT", "UPDATE"]
        facts.tablePrivileges["fusio_token"] = ["DELETE"]
        let result = PrivilegeCheck().evaluate(facts)
        #expect(result.status == .fail)
        #expect(result.detail.contains("DELETE on fusio_category and 23 more tables"))
    }

    @Test func aMissingProcedureIsAWarningThatNamesCreateRoutine() {
        var facts = DoctorFacts.ready()
        facts.procedure = .missing
        facts.databasePrivileges.remove("CREATE ROUTINE")
        let result = PrivilegeCheck().evaluate(facts)
        #expect(result.status == .warn)
        #expect(result.detail.contains("lacks CREATE ROUTINE"))
        #expect(result.fix?.hasPrefix("GRANT CREATE ROUTINE, EXECUTE ON `fusio`.*") == true)
    }
}
