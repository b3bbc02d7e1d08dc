import FusioAuth
import MariaDB

extension FusioStore: OperationLogRepository {
    static let rateRulesSQL = """
        SELECT ra.operation_id, ra.user_id, ra.plan_id, ra.app_id, ra.authenticated, r.rate_limit, r.timespan, r.priority
          FROM fusio_rate_allocation ra
          JOIN fusio_rate r ON r.id = ra.rate_id
         WHERE r.tenant_id <=> ? AND r.status = 1
         ORDER BY r.priority DESC, ra.id
        """
    static let countByUserSQL = """
        SELECT COUNT(*) FROM (SELECT 1 FROM fusio_log WHERE tenant_id <=> ? AND user_id = ? AND date BETWEEN ? AND ?
                              LIMIT ?) counted
        """
    static let countByIPSQL = """
        SELECT COUNT(*) FROM (SELECT 1 FROM fusio_log WHERE tenant_id <=> ? AND ip = ? AND date BETWEEN ? AND ?
                              LIMIT ?) counted
        """
    static let insertLogSQL = """
        INSERT INTO fusio_log (tenant_id, category_id, operation_id, app_id, user_id, ip, user_agent, method, path,
                               header, body, response_code, execution_time, date)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Read once a second per thread: a rate changed in the backend applies here within a second.
    public func rateRules() throws(StorageError) -> [RateRule] {
        let now = MonotonicTime.milliseconds()
        if let cached = rates.get(0, now: now) { return cached }
        let rules = try query(Self.rateRulesSQL, [tenant]).compactMap { row -> RateRule? in
            guard let limit = row.int(5) else { return nil }
            let timespan = row.string(6).flatMap { $0.isEmpty ? nil : try? ISODuration(parsing: $0) }
            return RateRule(operationID: row.int(0), userID: row.int(1), planID: row.int(2), appID: row.int(3),
                            authenticated: row.int(4), limit: limit, timespan: timespan, priority: row.int(7) ?? 0)
        }
        rates.put(0, rules, now: now)
        return rules
    }

    public func countRequests(userID: Int?, ip: String, since: UnixTime, until: UnixTime,
                              atMost: Int) throws(StorageError) -> Int {
        let window: [MariaDBValue] = [.text(since.databaseString), .text(until.databaseString), .int(Int64(max(0, atMost)))]
        if let userID {
            return try query(Self.countByUserSQL, [tenant, .int(Int64(userID))] + window).first?.int(0) ?? 0
        }
        return try query(Self.countByIPSQL, [tenant, .text(ip)] + window).first?.int(0) ?? 0
    }

    public func insertLog(_ entry: RequestLogEntry) throws(StorageError) {
        try execute(Self.insertLogSQL, [
            tenant, .int(Int64(entry.categoryID)), .int(Int64(entry.operationID)),
            entry.appID.map { .int(Int64($0)) } ?? .null, entry.userID.map { .int(Int64($0)) } ?? .null,
            .text(entry.ip), .text(entry.userAgent), .text(entry.method), .text(entry.path), .text(entry.header),
            entry.body.map { .text($0) } ?? .null, .int(Int64(entry.responseCode)),
            .int(Int64(entry.executionMilliseconds)), .text(entry.date.databaseString),
        ])
    }
}
