/// Fusio's request limit (impl `Service/Rate/Limiter`, `Table/Rate/Allocation`): of the allocations that match
/// the operation and caller, the one of the highest-priority rate applies; its count is the caller's
/// `fusio_log` rows within the rate's timespan — by user for authenticated callers, by IP for anonymous ones —
/// PHP's rows and ours alike, since both write the same table.
public struct RateLimiter {
    public struct Decision: Sendable, Equatable {
        public var limit: Int
        public var remaining: Int
        public var exceeded: Bool
    }

    /// Seconds in `Retry-After` of a refusal: Fusio's fixed 15 minutes.
    public static let retryAfterSeconds = 900

    private let logs: any OperationLogRepository
    private let clock: any Clock

    public init(logs: any OperationLogRepository, clock: any Clock) {
        self.logs = logs
        self.clock = clock
    }

    /// nil when no rate applies (no allocation matches).
    public func check(operationID: Int, caller: OperationCaller, ip: String) throws(StorageError) -> Decision? {
        guard let rule = Self.rule(in: try logs.rateRules(), operationID: operationID, caller: caller) else { return nil }
        var count = 0
        if let timespan = rule.timespan {
            let now = clock.now()
            count = try logs.countRequests(userID: caller.userID, ip: ip, since: timespan.subtracted(from: now), until: now,
                                           atMost: rule.limit)
        }
        return Decision(limit: rule.limit, remaining: max(0, rule.limit - count), exceeded: count >= rule.limit)
    }

    /// The matching rule of the highest priority; among equals the first, in the order the rules were read.
    static func rule(in rules: [RateRule], operationID: Int, caller: OperationCaller) -> RateRule? {
        // An anonymous caller is user 0 without a plan in Fusio's model.
        let userID = caller.userID ?? 0
        let authenticated = caller.isAnonymous ? 0 : 1
        var best: RateRule?
        for rule in rules {
            guard rule.operationID.map({ $0 == operationID }) ?? true,
                  rule.userID.map({ $0 == userID }) ?? true,
                  rule.planID.map({ $0 == caller.planID }) ?? true,
                  rule.appID.map({ $0 == caller.appID }) ?? true,
                  rule.authenticated.map({ $0 == authenticated }) ?? true else { continue }
            if best == nil || rule.priority > best!.priority { best = rule }
        }
        return best
    }
}
