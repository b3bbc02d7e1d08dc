/// `grant_type=password` (§3.3.4): an authenticated app obtains a token for a user's name (or e-mail) and password.
public final class PasswordGrant: GrantHandler {
    public let grantType = "password"

    private let clients: ClientAuthenticator
    private let users: any UserRepository
    private let authenticator: UserAuthenticator
    private let issuer: TokenIssuer

    public init(clients: ClientAuthenticator, users: any UserRepository, authenticator: UserAuthenticator,
                issuer: TokenIssuer) {
        self.clients = clients
        self.users = users
        self.authenticator = authenticator
        self.issuer = issuer
    }

    public func handle(_ request: TokenRequest) throws(OAuthError) -> IssuedToken {
        // Fusio checks parameters before credentials.
        let username = try request.required("username")
        let password = try request.required("password")
        let credentials = try request.clientCredentials()
        guard let client = try OAuthError.storage({ () throws(StorageError) in try clients.authenticate(credentials) }) else {
            throw .unknownCredentials
        }
        do {
            return try issue(request, client: client, username: username, password: password)
        } catch .inactivePrincipal {
            // The app was deactivated within the last second: answer from the current row.
            guard let fresh = try OAuthError.storage({ () throws(StorageError) in
                try clients.authenticate(credentials, allowCached: false)
            }) else { throw .unknownCredentials }
            return try issue(request, client: fresh, username: username, password: password)
        }
    }

    private func issue(_ request: TokenRequest, client: ClientApp, username: String,
                       password: String) throws(OAuthError) -> IssuedToken {
        let (user, userScopes) = try OAuthError.storage { () throws(StorageError) -> (FusioUser?, AvailableScopes?) in
            guard let user = try authenticator.authenticate(login: username, password: password, source: request.clientIP) else { return (nil, nil) }
            return (user, try users.availableScopes(userID: user.id))
        }
        guard let user, let userScopes else { throw .unknownUser }
        let requested = request.parameters["scope"] ?? ""
        let scopes = ScopeResolver.validScopes(
            requested: requested.isEmpty ? ScopeResolver.defaultScopeString(user: userScopes) : requested,
            app: client.appScopes, user: userScopes)
        return try issuer.issue(app: client.app, user: user, scopes: scopes, category: TokenCategory.authorization,
                                name: request.userAgent ?? "", ip: request.clientIP)
    }
}
