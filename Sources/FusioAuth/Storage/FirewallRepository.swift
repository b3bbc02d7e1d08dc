public protocol FirewallRepository {
    /// Active (status 1), unexpired rules of the tenant: IPs with a deny rule and IPs with an allow rule.
    func activeRules(now: UnixTime) throws(StorageError) -> (deny: Set<String>, allow: Set<String>)
    /// Logged client errors of an IP since `since`.
    func errorCount(ip: String, since: UnixTime) throws(StorageError) -> Int
    /// Logs one client error (for a non-NULL tenant the existing row of the IP is updated: the
    /// `(tenant_id, ip)` unique key allows one).
    func logError(ip: String, code: Int, now: UnixTime) throws(StorageError)
    /// The ban row exactly as PHP writes it: status 1, type 0 (deny), `name`, `expire`.
    func ban(ip: String, name: String, expire: UnixTime) throws(StorageError)
}
