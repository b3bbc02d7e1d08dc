/// Refresh-token rotation shared by `grant_type=refresh_token` and `PUT /consumer/login` (§4.5), with the
/// fixes of §8.2: only an active row is refreshable; rotation is one transaction with the old row locked, so of
/// concurrent refreshes exactly one wins; presenting a rotated or revoked refresh token revokes the family.
public final class TokenRefresher {
    private let tokens: any TokenRepository
    private let apps: any AppRepository
    private let users: any UserRepository
    private let issuer: TokenIssuer
    private let refreshLifetime: ISODuration
    private let clock: any Clock
    private let revocations: FamilyRevocations

    /// `revocations`: the worker process's, shared by all its threads.
    public init(tokens: any TokenRepository, apps: any AppRepository, users: any UserRepository, issuer: TokenIssuer,
                refreshLifetime: ISODuration, clock: any Clock, revocations: FamilyRevocations) {
        self.revocations = revocations
        self.tokens = tokens
        self.apps = apps
        self.users = users
        self.issuer = issuer
        self.refreshLifetime = refreshLifetime
        self.clock = clock
    }

    /// `authenticate` runs before anything is changed, so a caller without the client's credentials cannot
    /// trigger the revocation of someone else's tokens.
    public func refresh(_ refreshToken: String, category: String, name: String, ip: String,
                        authenticate: (StoredToken) throws(OAuthError) -> Void) throws(OAuthError) -> IssuedToken {
        guard let stored = try OAuthError.storage({ () throws(StorageError) in try tokens.findByRefreshToken(refreshToken) }) else {
            throw .invalidRefreshToken
        }
        try authenticate(stored)
        guard stored.isActive else { try refuseReuse(of: stored) }
        guard let date = stored.date, refreshLifetime.added(to: date) >= clock.now() else {
            throw .refreshTokenExpired
        }
        let (app, user) = try OAuthError.storage { () throws(StorageError) -> (FusioApp?, FusioUser?) in
            (try stored.appID.flatMap { id throws(StorageError) in try apps.findApp(id: id) }, try users.findUser(id: stored.userID))
        }
        if stored.appID != nil, app == nil { throw .invalidApp }
        let prepared = try issuer.prepare(app: app, user: user, scopes: stored.scope.split(separator: ",").map(String.init),
                                          category: category, name: name, ip: ip)
        switch try OAuthError.storage({ () throws(StorageError) in try tokens.rotate(tokenID: stored.id, to: prepared) }) {
        case .issued: return prepared.response
        case .reused: try refuseReuse(of: stored)
        case .principalInactive: throw .inactivePrincipal
        }
    }

    /// A rotated or revoked token presented again, or the loser of a race: the family is revoked — at most twice
    /// for a burst of such requests (`FamilyRevocations`, and the row lock of `revokeFamily`) — and the answer is
    /// Fusio's for an unknown token.
    private func refuseReuse(of stored: StoredToken) throws(OAuthError) -> Never {
        _ = try OAuthError.storage { () throws(StorageError) in
            try revocations.revoke(.init(userID: stored.userID, appID: stored.appID)) { () throws(StorageError) in
                try tokens.revokeFamily(ofTokenID: stored.id)
            }
        }
        throw .invalidRefreshToken
    }
}
