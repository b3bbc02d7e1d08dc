/// Which Fusio release made the schema, from the newest of Fusio's own rows in `doctrine_migration_versions`
/// (project migrations, `App\…`, say nothing about Fusio's tables).
public struct MigrationVersionCheck: DoctorCheck {
    static let fusioPrefix = "Fusio\\Impl\\Migrations\\Version"
    /// The newest impl migration of Fusio 8.8.4 (reference §1.1), the release fusio-auth is built against.
    static let newestKnown = "20260604202836"
    /// Releases that introduced a migration, oldest first (reference §7).
    static let releases: [(migration: String, release: String)] = [
        ("20230508210151", "7.0"), ("20240121100724", "8.0.0"), ("20240721005146", "8.2.2"),
        ("20250420185911", "8.4.7"), (newestKnown, "8.8.4"),
    ]
    static let upgrade = "run PHP Fusio's migrations (php bin/fusio migrate) to reach Fusio 8.8.4"

    public init() {}

    public func evaluate(_ facts: DatabaseFacts) -> CheckResult {
        guard let rows = facts.migrations else {
            return CheckResult(name: "fusio", status: .fail, detail: "no doctrine_migration_versions table: not a Fusio 7/8 database",
                               fix: "point APP_CONNECTION at the Fusio database, or run fusio-auth migrate on an empty one")
        }
        let stamps = rows.filter { $0.hasPrefix(Self.fusioPrefix) }.map { String($0.dropFirst(Self.fusioPrefix.count)) }
        guard let newest = stamps.max() else {
            return CheckResult(name: "fusio", status: .warn,
                               detail: "doctrine_migration_versions has no Fusio row: schema made by fusio-auth migrate (8.8.4 layout), not by PHP Fusio",
                               fix: "none for a database fusio-auth created; on a PHP install, \(Self.upgrade)")
        }
        let migration = "Version\(newest)"
        if newest == Self.newestKnown {
            return CheckResult(name: "fusio", status: .ok, detail: "Fusio 8.8.x (newest migration \(migration))")
        }
        if newest > Self.newestKnown {
            return CheckResult(name: "fusio", status: .warn,
                               detail: "newest migration \(migration) is newer than Fusio 8.8.4, which fusio-auth follows",
                               fix: "check the schema line below and fusio-auth's release notes for this Fusio release")
        }
        let release = Self.releases.last { $0.migration <= newest }?.release ?? "before 7.0"
        return CheckResult(name: "fusio", status: .warn,
                           detail: "Fusio \(release) or later, before 8.8.4 (newest migration \(migration))",
                           fix: Self.upgrade)
    }
}
