/// `fusio_log` and the rate tables, shared with PHP Fusio.
public protocol OperationLogRepository {
    /// The allocations of the tenant's active rates (cached briefly; they change in the backend only).
    func rateRules() throws(StorageError) -> [RateRule]
    /// `fusio_log` rows of the tenant dated between `since` and `until`: of the user when there is one, else of
    /// the IP (Fusio's count, on its `(tenant_id, user_id, date)` and `(tenant_id, ip, date)` indexes) — counted
    /// up to `atMost` only: past the limit the exact number changes nothing, and a busy address would otherwise
    /// make every one of its requests scan its whole hour.
    func countRequests(userID: Int?, ip: String, since: UnixTime, until: UnixTime, atMost: Int) throws(StorageError) -> Int
    func insertLog(_ entry: RequestLogEntry) throws(StorageError)
}
