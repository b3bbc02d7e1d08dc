/// A row of `fusio_user` as authentication needs it.
public struct FusioUser: Sendable, Equatable {
    /// `fusio_user.status`: 0 deleted, 1 active, 2 disabled.
    public static let activeStatus = 1

    public var id: Int
    public var status: Int
    public var name: String
    public var email: String?
    /// Set for remote (social login) users, who cannot log in with a password.
    public var identityID: Int?
    public var passwordHash: String?

    public init(id: Int, status: Int, name: String, email: String?, identityID: Int?, passwordHash: String?) {
        self.id = id
        self.status = status
        self.name = name
        self.email = email
        self.identityID = identityID
        self.passwordHash = passwordHash
    }

    public var isActive: Bool { status == Self.activeStatus }
}
