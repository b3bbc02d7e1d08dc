/// Deletes what `CleanupCutoffs` marks, table by table, in batches of `CleanupOptions.batchSize` rows with a
/// pause between them, so a large backlog never holds locks or the database for long.
public struct TableCleaner {
    private let store: any CleanupStore
    private let options: CleanupOptions
    private let pause: (Int) -> Void

    /// `pause` sleeps the given milliseconds; tests pass a recorder.
    public init(store: any CleanupStore, options: CleanupOptions, pause: @escaping (Int) -> Void) {
        self.store = store
        self.options = options
        self.pause = pause
    }

    public func run(cutoffs: CleanupCutoffs) throws(StorageError) -> CleanupReport {
        var report = CleanupReport(dryRun: options.dryRun)
        for table in CleanupTable.allCases {
            // Counting would scan the whole table before the first delete: a real run only needs a bound.
            let count = options.dryRun
                ? try store.countExpired(table, cutoffs: cutoffs)
                : try delete(table, bound: store.deletionBound(table, cutoffs: cutoffs), cutoffs: cutoffs)
            report.rows.append((table, count))
        }
        return report
    }

    /// The matching set only shrinks during a run (the cutoffs are fixed), so the batches `bound` needs, plus one
    /// for rows that came to match after it was taken (a token revoked meanwhile), bound the loop; anything left
    /// waits for the next run.
    private func delete(_ table: CleanupTable, bound: Int, cutoffs: CleanupCutoffs) throws(StorageError) -> Int {
        guard bound > 0 else { return 0 }
        let batchLimit = bound / options.batchSize + 2
        var deleted = 0
        var cursor: Int64?
        for batchNumber in 0..<batchLimit {
            if batchNumber > 0, options.pauseMilliseconds > 0 { pause(options.pauseMilliseconds) }
            let batch = try store.deleteExpired(table, cutoffs: cutoffs, after: cursor, limit: options.batchSize)
            deleted += batch.deleted
            cursor = batch.lastKey ?? cursor
            if batch.deleted < options.batchSize { break }
        }
        return deleted
    }
}
