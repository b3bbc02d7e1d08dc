/// A `fusio_token` row found by its refresh token.
public struct StoredToken: Sendable {
    public static let activeStatus = 1

    public var id: Int
    public var appID: Int?
    public var userID: Int
    public var status: Int
    public var scope: String
    /// Issue time; the refresh window counts from here. nil when unreadable.
    public var date: UnixTime?

    public init(id: Int, appID: Int?, userID: Int, status: Int, scope: String, date: UnixTime?) {
        self.id = id
        self.appID = appID
        self.userID = userID
        self.status = status
        self.scope = scope
        self.date = date
    }

    public var isActive: Bool { status == Self.activeStatus }
}
