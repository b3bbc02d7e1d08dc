/// The deletions of `fusio-auth cleanup`. Each call is its own short transaction.
public protocol CleanupStore {
    /// Rows of `table` that the cutoffs mark for deletion now.
    func countExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int
    /// Deletes at most `limit` marked rows of `table`, lowest key first, only above `cursor` when given.
    func deleteExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs, after cursor: Int64?, limit: Int) throws(StorageError) -> CleanupBatch
}
