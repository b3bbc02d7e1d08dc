/// One readiness check: a pure judgement of facts the `DatabaseInspector` gathered, so every rule is testable
/// without a database.
public protocol DoctorCheck: Sendable {
    func evaluate(_ facts: DatabaseFacts) -> CheckResult
}
