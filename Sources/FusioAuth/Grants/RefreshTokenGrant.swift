/// `grant_type=refresh_token` (§3.3.7, §4.5). Unlike PHP Fusio, the client must be the token's own: its app,
/// or for an app-less token the token's user by name and password (as in client_credentials).
public final class RefreshTokenGrant: GrantHandler {
    public let grantType = "refresh_token"

    private let clients: ClientAuthenticator
    private let authenticator: UserAuthenticator
    private let refresher: TokenRefresher

    public init(clients: ClientAuthenticator, authenticator: UserAuthenticator, refresher: TokenRefresher) {
        self.clients = clients
        self.authenticator = authenticator
        self.refresher = refresher
    }

    public func handle(_ request: TokenRequest) throws(OAuthError) -> IssuedToken {
        let refreshToken = try request.required("refresh_token")
        let credentials = try request.clientCredentials()
        // `scope` is ignored, as in Fusio: a refreshed token keeps its scopes.
        return try refresher.refresh(refreshToken, category: TokenCategory.authorization,
                                     name: request.userAgent ?? "", ip: request.clientIP) { stored throws(OAuthError) in
            let matches = try OAuthError.storage { () throws(StorageError) -> Bool in
                if let appID = stored.appID {
                    // Fresh, not from the one-second copy: a deactivated app must get invalid_client at once.
                    return try clients.authenticate(credentials, allowCached: false)?.app.id == appID
                }
                return try authenticator.authenticate(login: credentials.id, password: credentials.secret, source: request.clientIP)?.id == stored.userID
            }
            guard matches else { throw .unknownCredentials }
        }
    }
}
