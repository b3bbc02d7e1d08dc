/// A `fusio_token` row about to be written (§4.6 of the reference).
public struct NewToken: Sendable, Equatable {
    /// Category by name (`authorization`, `consumer`, …); the store resolves and caches the id.
    public var categoryName: String
    public var appID: Int?
    public var userID: Int
    public var name: String
    public var accessToken: String
    public var refreshToken: String
    public var scope: String
    public var ip: String
    public var expire: UnixTime
    public var date: UnixTime

    public init(categoryName: String, appID: Int?, userID: Int, name: String, accessToken: String,
                refreshToken: String, scope: String, ip: String, expire: UnixTime, date: UnixTime) {
        self.categoryName = categoryName
        self.appID = appID
        self.userID = userID
        self.name = name
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.scope = scope
        self.ip = ip
        self.expire = expire
        self.date = date
    }
}
