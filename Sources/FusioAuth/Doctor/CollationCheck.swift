/// utf8mb4 with Fusio's collation on the tables fusio-auth uses: another character set loses 4-byte characters
/// (names, User-Agents), another collation changes which names, e-mails and keys compare equal.
public struct CollationCheck: DoctorCheck {
    public init() {}

    public func evaluate(_ facts: DatabaseFacts) -> CheckResult {
        let expected = RequiredSchema.collation
        let tables = RequiredSchema.tables.compactMap { name in facts.tableCollations[name].map { (name, $0) } }
        let notUTF8 = tables.filter { !$0.1.hasPrefix("utf8mb4_") }
        let otherCollation = tables.filter { $0.1.hasPrefix("utf8mb4_") && $0.1 != expected }
        if let (table, collation) = notUTF8.first {
            return CheckResult(name: "charset", status: .fail,
                               detail: "\(notUTF8.count) table(s) not utf8mb4, e.g. \(table) (\(collation))",
                               fix: "ALTER TABLE \(table) CONVERT TO CHARACTER SET utf8mb4 COLLATE \(expected) (each listed table)")
        }
        if let (table, collation) = otherCollation.first {
            return CheckResult(name: "charset", status: .warn,
                               detail: "\(otherCollation.count) table(s) use another collation than Fusio's \(expected), e.g. \(table) (\(collation))",
                               fix: "ALTER TABLE \(table) CONVERT TO CHARACTER SET utf8mb4 COLLATE \(expected), so lookups match PHP's")
        }
        return CheckResult(name: "charset", status: .ok,
                           detail: "utf8mb4, \(expected) on \(tables.count) tables (database default \(facts.databaseCollation))")
    }
}
