/// A `fusio_token` row found by its exact access token string, with the status of its user and app.
public struct ActiveToken: Sendable {
    public var id: Int
    public var appID: Int?
    public var userID: Int
    /// Comma-joined scope names as stored.
    public var scope: String
    public var token: String
    public var userStatus: Int
    public var appStatus: Int?
    public var appKey: String?
    public var userName: String
    /// `fusio_user.plan_id`, for the rate limit's plan allocations.
    public var userPlanID: Int?

    public init(id: Int, appID: Int?, userID: Int, scope: String, token: String, userStatus: Int, appStatus: Int?,
                appKey: String?, userName: String, userPlanID: Int? = nil) {
        self.id = id
        self.appID = appID
        self.userID = userID
        self.scope = scope
        self.token = token
        self.userStatus = userStatus
        self.appStatus = appStatus
        self.appKey = appKey
        self.userName = userName
        self.userPlanID = userPlanID
    }

    /// The caller as Fusio's rate limiter and request log see it.
    public var caller: OperationCaller { OperationCaller(appID: appID, userID: userID, planID: userPlanID) }
}
