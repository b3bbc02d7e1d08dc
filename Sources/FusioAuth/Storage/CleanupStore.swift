/// The deletions of `fusio-auth cleanup`. Each call is its own short transaction.
public protocol CleanupStore {
    /// Rows of `table` that the cutoffs mark for deletion now (a full scan of large tables: dry runs only).
    func countExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int
    /// A cheap upper bound of the rows a run can delete: the highest key where batches resume after a key (each
    /// full batch moves past at least one batch of keys), else the count.
    func deletionBound(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int
    /// Deletes at most `limit` marked rows of `table`, lowest key first, only above `cursor` when given.
    func deleteExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs, after cursor: Int64?, limit: Int) throws(StorageError) -> CleanupBatch
}
