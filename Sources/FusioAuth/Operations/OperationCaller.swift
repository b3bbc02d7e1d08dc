/// Who calls an operation, as Fusio's Authentication filter leaves it for the rate limiter and the request log:
/// anonymous (public operations), or the app and user of a bearer token.
public struct OperationCaller: Sendable, Equatable {
    public var appID: Int?
    public var userID: Int?
    public var planID: Int?

    public static let anonymous = OperationCaller(appID: nil, userID: nil, planID: nil)

    public init(appID: Int?, userID: Int?, planID: Int?) {
        self.appID = appID
        self.userID = userID
        self.planID = planID
    }

    public var isAnonymous: Bool { userID == nil }
}
