/// The database account may read and write every table fusio-auth uses and call `fusioauth_issue_token`.
/// Without the procedure tokens are still issued, with four round trips instead of one, so a missing procedure
/// is a warning; a procedure the account may not execute is a failure.
public struct PrivilegeCheck: DoctorCheck {
    static let tablePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE"]

    public init() {}

    public func evaluate(_ facts: DatabaseFacts) -> CheckResult {
        var missing: [String] = []
        for privilege in Self.tablePrivileges {
            let lacking = RequiredSchema.tables.filter { !facts.privileges(on: $0).contains(privilege) }
            if lacking.count == RequiredSchema.tables.count {
                missing.append(privilege)
            } else if let first = lacking.first {
                missing.append("\(privilege) on \(first)" + (lacking.count > 1 ? " and \(lacking.count - 1) more tables" : ""))
            }
        }
        let canCreate = facts.databasePrivileges.contains("CREATE ROUTINE")
        if facts.procedure == .denied { missing.append("EXECUTE (for \(RequiredSchema.procedure))") }
        let grant = "ON `\(facts.databaseName)`.* TO \(facts.quotedAccount)"
        if !missing.isEmpty {
            let names = missing.map { $0.split(separator: " ").first.map(String.init) ?? $0 }
            let list = Array(Set(names)).sorted().joined(separator: ", ")
            return CheckResult(name: "privileges", status: .fail,
                               detail: "\(facts.account) lacks \(missing.joined(separator: ", "))",
                               fix: "GRANT \(list) \(grant)")
        }
        if facts.procedure == .missing {
            return CheckResult(name: "privileges", status: .warn,
                               detail: "\(RequiredSchema.procedure) missing\(canCreate ? "" : " and \(facts.account) lacks CREATE ROUTINE"): tokens are written with separate statements (slower)",
                               fix: canCreate ? "run fusio-auth migrate"
                                              : "GRANT CREATE ROUTINE, EXECUTE \(grant); then fusio-auth migrate")
        }
        return CheckResult(name: "privileges", status: .ok,
                           detail: "\(facts.account): SELECT, INSERT, UPDATE, DELETE on \(RequiredSchema.tables.count) tables, EXECUTE on \(RequiredSchema.procedure)")
    }
}
