/// Every table and column of `RequiredSchema` present with a compatible type.
public struct SchemaCheck: DoctorCheck {
    /// Enough problems to act on; the rest are counted.
    static let shownProblems = 6

    let requirements: [ColumnRequirement]

    public init(requirements: [ColumnRequirement] = RequiredSchema.columns) {
        self.requirements = requirements
    }

    public func evaluate(_ facts: DatabaseFacts) -> CheckResult {
        var missingTables: [String] = []
        var problems: [String] = []
        for requirement in requirements {
            guard let table = facts.columns[requirement.table] else {
                if missingTables.last != requirement.table { missingTables.append(requirement.table) }
                continue
            }
            guard let column = table[requirement.column] else {
                problems.append("\(requirement.table).\(requirement.column) missing")
                continue
            }
            if let problem = requirement.problem(with: column) { problems.append(problem) }
        }
        let all = missingTables.map { "table \($0) missing" } + problems
        guard !all.isEmpty else {
            let tables = Set(requirements.map(\.table)).count
            return CheckResult(name: "schema", status: .ok, detail: "\(tables) tables, \(requirements.count) columns as fusio-auth needs them")
        }
        var detail = all.prefix(Self.shownProblems).joined(separator: "; ")
        if all.count > Self.shownProblems { detail += "; and \(all.count - Self.shownProblems) more" }
        let ownOnly = all.allSatisfy { $0.contains("fusioauth_") }
        return CheckResult(name: "schema", status: .fail, detail: detail,
                           fix: ownOnly ? "run fusio-auth migrate"
                                        : "\(MigrationVersionCheck.upgrade), then fusio-auth migrate")
    }
}
