/// One `fusio_rate_allocation` row of an active `fusio_rate`: who it applies to (nil = anyone) and the limit.
public struct RateRule: Sendable, Equatable {
    public var operationID: Int?
    public var userID: Int?
    public var planID: Int?
    public var appID: Int?
    /// 1: authenticated callers only, 0: anonymous only, nil: both.
    public var authenticated: Int?
    public var limit: Int
    /// `fusio_rate.timespan` (`PT1H`); nil when empty or unreadable, which counts no requests (PHP: count 0).
    public var timespan: ISODuration?
    public var priority: Int

    public init(operationID: Int?, userID: Int?, planID: Int?, appID: Int?, authenticated: Int?, limit: Int,
                timespan: ISODuration?, priority: Int) {
        self.operationID = operationID
        self.userID = userID
        self.planID = planID
        self.appID = appID
        self.authenticated = authenticated
        self.limit = limit
        self.timespan = timespan
        self.priority = priority
    }
}
