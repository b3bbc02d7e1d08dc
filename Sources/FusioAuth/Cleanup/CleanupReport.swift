/// Rows per table that a cleanup deleted, or in a dry run would delete.
public struct CleanupReport: Sendable, Equatable {
    public var rows: [(table: CleanupTable, count: Int)] = []
    public var dryRun: Bool

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    public static func == (lhs: CleanupReport, rhs: CleanupReport) -> Bool {
        lhs.dryRun == rhs.dryRun && lhs.rows.map(\.table) == rhs.rows.map(\.table) && lhs.rows.map(\.count) == rhs.rows.map(\.count)
    }

    public func count(_ table: CleanupTable) -> Int? {
        rows.first { $0.table == table }?.count
    }

    /// `key=value` lines like the other admin commands print; a dry run reports the same keys, so the two
    /// outputs compare line by line.
    public var lines: [String] {
        ["dry_run=\(dryRun ? 1 : 0)"] + rows.map { "\($0.table.rawValue)=\($0.count)" }
    }
}
