/// A row of `fusio_app_code` with its app and, if the code was requested with PKCE, its challenge.
public struct AuthorizationCode: Sendable {
    public var id: Int
    public var appID: Int
    public var userID: Int
    /// NULL and '' both mean "issued without redirect URI".
    public var redirectURI: String?
    public var scope: String
    /// nil when the stored date cannot be read (Fusio: "Provided an invalid date").
    public var date: UnixTime?
    public var challenge: CodeChallenge?

    public init(id: Int, appID: Int, userID: Int, redirectURI: String?, scope: String, date: UnixTime?,
                challenge: CodeChallenge?) {
        self.id = id
        self.appID = appID
        self.userID = userID
        self.redirectURI = redirectURI
        self.scope = scope
        self.date = date
        self.challenge = challenge
    }

    /// A consumed code keeps its row (PHP never deletes codes) with this date, which PHP also reads as expired.
    public static let consumedDate = UnixTime(seconds: 0)

    public var isConsumed: Bool { date == Self.consumedDate }
}
