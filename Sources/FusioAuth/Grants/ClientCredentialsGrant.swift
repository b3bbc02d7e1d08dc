/// `grant_type=client_credentials` (§3.3.3): an active app by key whose secret matches, or — Fusio's fallback
/// used by its SDKs and backend — a user's name or e-mail and password as client id and secret.
public final class ClientCredentialsGrant: GrantHandler {
    public let grantType = "client_credentials"

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
        do {
            return try handle(request, allowCached: true)
        } catch .inactivePrincipal {
            // The app or owner was deactivated within the last second: answer from the current rows.
            return try handle(request, allowCached: false)
        }
    }

    private func handle(_ request: TokenRequest, allowCached: Bool) throws(OAuthError) -> IssuedToken {
        let credentials = try request.clientCredentials()
        let requested = request.parameters["scope"] ?? ""
        if let client = try OAuthError.storage({ () throws(StorageError) in
            try clients.authenticate(credentials, allowCached: allowCached)
        }) {
            let scopes = ScopeResolver.validScopes(
                requested: requested.isEmpty ? ScopeResolver.defaultScopeString(user: client.ownerScopes) : requested,
                app: client.appScopes, user: client.ownerScopes)
            return try issuer.issue(app: client.app, user: client.owner, scopes: scopes,
                                    category: TokenCategory.authorization, name: request.userAgent ?? "",
                                    ip: request.clientIP)
        }
        let (user, userScopes) = try OAuthError.storage { () throws(StorageError) -> (FusioUser?, AvailableScopes?) in
            guard let user = try authenticator.authenticate(login: credentials.id, password: credentials.secret, source: request.clientIP) else {
                return (nil, nil)
            }
            return (user, try users.availableScopes(userID: user.id))
        }
        guard let user, let userScopes else { throw .unknownCredentials }
        let scopes = ScopeResolver.validScopes(
            requested: requested.isEmpty ? ScopeResolver.defaultScopeString(user: userScopes) : requested,
            app: nil, user: userScopes)
        return try issuer.issue(app: nil, user: user, scopes: scopes, category: TokenCategory.authorization,
                                name: request.userAgent ?? "", ip: request.clientIP)
    }
}
