/// `POST /consumer/login` (§3.1): name (or e-mail) and password for a user token without app, category
/// `consumer`. Errors carry Fusio's messages; the HTTP layer renders them as Fusio's generic error body.
public final class ConsumerLogin {
    private let users: any UserRepository
    private let authenticator: UserAuthenticator
    private let issuer: TokenIssuer

    public init(users: any UserRepository, authenticator: UserAuthenticator, issuer: TokenIssuer) {
        self.users = users
        self.authenticator = authenticator
        self.issuer = issuer
    }

    public static let invalidCredentials = OAuthError.invalidRequest("Invalid name or password")

    public func login(username: String?, password: String?, scopes requested: [String]?, userAgent: String,
                      ip: String) throws(OAuthError) -> IssuedToken {
        // PHP empty(): "0" counts as empty too.
        guard let username, !username.isEmpty, username != "0" else { throw .invalidRequest("No username provided") }
        guard let password, !password.isEmpty, password != "0" else { throw .invalidRequest("No password provided") }
        let (user, available) = try OAuthError.storage { () throws(StorageError) -> (FusioUser?, AvailableScopes?) in
            guard let user = try authenticator.authenticate(login: username, password: password, source: ip) else { return (nil, nil) }
            return (user, try users.availableScopes(userID: user.id))
        }
        guard let user, let available else { throw Self.invalidCredentials }
        let scopes: [String]
        if let requested, !requested.isEmpty {
            let wanted = Set(requested.map(ScopeBytes.init))
            scopes = available.names(includingPlan: true).filter { wanted.contains(ScopeBytes($0)) }
        } else {
            scopes = available.names(includingPlan: false)
        }
        return try issuer.issue(app: nil, user: user, scopes: scopes, category: TokenCategory.consumer,
                                name: "Consumer Login by \(userAgent) (\(ip))", ip: ip)
    }
}
