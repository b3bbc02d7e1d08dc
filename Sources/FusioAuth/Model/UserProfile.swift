/// The user view whoami answers (impl `Consumer\View\User`).
public struct UserProfile: Sendable {
    public struct Plan: Sendable {
        public var id: Int
        public var name: String
        /// In cents, as stored; the view divides by 100.
        public var price: Int
        public var points: Int
        public var period: Int?

        public init(id: Int, name: String, price: Int, points: Int, period: Int?) {
            self.id = id
            self.name = name
            self.price = price
            self.points = points
            self.period = period
        }
    }

    public var id: Int
    public var roleID: Int
    public var planID: Int?
    public var status: Int
    public var name: String
    public var email: String?
    public var points: Int?
    public var scopes: [String]
    public var plans: [Plan]
    /// The raw JSON of `fusio_user.metadata`.
    public var metadata: String?
    public var date: UnixTime?

    public init(id: Int, roleID: Int, planID: Int?, status: Int, name: String, email: String?, points: Int?,
                scopes: [String], plans: [Plan], metadata: String?, date: UnixTime?) {
        self.id = id
        self.roleID = roleID
        self.planID = planID
        self.status = status
        self.name = name
        self.email = email
        self.points = points
        self.scopes = scopes
        self.plans = plans
        self.metadata = metadata
        self.date = date
    }
}
