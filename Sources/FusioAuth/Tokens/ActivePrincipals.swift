/// The users and apps that a batch of token writes found active in its locking read (`status` = 1), and which of
/// the batch's tokens may therefore be written: the same rule as `fusioauth_issue_token`'s check, for many tokens.
public struct ActivePrincipals: Sendable, Equatable {
    public static let activeStatus = 1

    private var users: Set<Int> = []
    private var apps: Set<Int> = []

    public init() {}

    /// Records one row of the read: a user's or an app's id and status.
    public mutating func record(isApp: Bool, id: Int, status: Int) {
        guard status == Self.activeStatus else { return }
        if isApp { apps.insert(id) } else { users.insert(id) }
    }

    /// Whether the token's user is active and so is its app, if it has one; a row the read did not return (deleted
    /// meanwhile) is not active.
    public func admit(userID: Int, appID: Int?) -> Bool {
        users.contains(userID) && (appID.map { apps.contains($0) } ?? true)
    }
}
