/// Rows per table that a cleanup deleted, or in a dry run would delete.
public struct CleanupReport: Sendable {
    public var rows: [(table: CleanupTable, count: Int)] = []
    public var dryRun: Bool

    public init(dryRun: Bool) {
        self.dryRun = dryRun
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
