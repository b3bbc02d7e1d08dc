/// Gathers what the doctor judges, read-only, in one pass over information_schema and Fusio's tables.
public protocol DatabaseInspector {
    /// `requirements` names the tables whose columns, collations and privileges to read; `now` (UTC) decides which
    /// tokens are expired.
    func gatherFacts(requirements: [ColumnRequirement], now: UnixTime) throws(StorageError) -> DatabaseFacts
}
