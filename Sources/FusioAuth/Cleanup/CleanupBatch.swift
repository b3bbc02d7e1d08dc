/// What one DELETE of a cleanup removed.
public struct CleanupBatch: Sendable, Equatable {
    public let deleted: Int
    /// The highest key the batch deleted, where the table has an integer key to resume after: the next batch
    /// starts there instead of re-reading the rows purged so far. Nil for tables without one.
    public let lastKey: Int64?

    public init(deleted: Int, lastKey: Int64?) {
        self.deleted = deleted
        self.lastKey = lastKey
    }
}
