import FusioCrypto

/// `grant_type=authorization_code` (§3.3.5, §3.4.5) with the fixes of §8.2: single use (consumed in the
/// transaction that issues the token; a replay revokes the user's tokens for the app), NULL and absent
/// `redirect_uri` treated as equal, and PKCE (RFC 7636) for codes created with a challenge, which also lets
/// a public client leave the secret out.
public final class AuthorizationCodeGrant: GrantHandler {
    public let grantType = "authorization_code"
    /// Fusio's code lifetime.
    public static let codeLifetimeSeconds: Int64 = 1800

    private let apps: any AppRepository
    private let users: any UserRepository
    private let codes: any AuthorizationCodeRepository
    private let issuer: TokenIssuer
    private let clock: any Clock
    private let revocations: FamilyRevocations

    /// `revocations`: the worker process's, shared by all its threads.
    public init(apps: any AppRepository, users: any UserRepository, codes: any AuthorizationCodeRepository,
                issuer: TokenIssuer, clock: any Clock, revocations: FamilyRevocations) {
        self.revocations = revocations
        self.apps = apps
        self.users = users
        self.codes = codes
        self.issuer = issuer
        self.clock = clock
    }

    public func handle(_ request: TokenRequest) throws(OAuthError) -> IssuedToken {
        let codeValue = try request.required("code")
        let client = try request.clientIdentification()
        guard let code = try OAuthError.storage({ () throws(StorageError) in try codes.findCode(codeValue) }) else {
            throw .invalidCode
        }
        // The client proves itself (secret or PKCE verifier) before a replay may revoke anything: otherwise
        // anyone who saw a used code in a redirect URL or a log could log its user out of the app.
        guard let app = try OAuthError.storage({ () throws(StorageError) in try apps.findClients(appKey: client.id, allowCached: false).clients })
            .first(where: { $0.app.id == code.appID }), app.app.isActive else {
            throw .unknownCredentials
        }
        if let secret = client.secret {
            guard ConstantTime.equals(app.app.secret, secret) else { throw .unknownCredentials }
        }
        if let challenge = code.challenge {
            guard let verifier = request.parameters["code_verifier"], challenge.isSatisfied(by: verifier) else {
                throw .codeVerifierMismatch
            }
        } else if client.secret == nil {
            // Without PKCE the code alone must not be enough: the app has to prove it is the client.
            throw .unknownCredentials
        }
        if code.isConsumed { try refuseReuse(of: code) }
        let given = request.parameters["redirect_uri"].flatMap { $0.isEmpty ? nil : $0 }
        let stored = code.redirectURI.flatMap { $0.isEmpty ? nil : $0 }
        guard given == stored else { throw .redirectURIMismatch }
        guard let date = code.date else { throw .invalidGrant("Provided an invalid date") }
        guard clock.now().seconds - date.seconds <= Self.codeLifetimeSeconds else { throw .codeExpired }

        let (user, userScopes) = try OAuthError.storage { () throws(StorageError) in
            (try users.findUser(id: code.userID), try users.availableScopes(userID: code.userID))
        }
        let scopes = ScopeResolver.validScopes(requested: code.scope, app: app.appScopes, user: userScopes)
        let prepared = try issuer.prepare(app: app.app, user: user, scopes: scopes, category: TokenCategory.authorization,
                                          name: request.userAgent ?? "", ip: request.clientIP)
        switch try OAuthError.storage({ () throws(StorageError) in try codes.exchange(codeID: code.id, for: prepared) }) {
        case .issued: return prepared.response
        case .reused: try refuseReuse(of: code)
        case .principalInactive: throw .inactivePrincipal
        }
    }

    /// RFC 6749 §4.1.2: a code used twice is refused and the tokens issued from it are revoked — the user's tokens
    /// of the app, at most twice for a burst of replays (`FamilyRevocations`, and the row lock of `revokeTokens`).
    private func refuseReuse(of code: AuthorizationCode) throws(OAuthError) -> Never {
        _ = try OAuthError.storage { () throws(StorageError) in
            try revocations.revoke(.init(userID: code.userID, appID: code.appID)) { () throws(StorageError) in
                try codes.revokeTokens(ofReusedCode: code)
            }
        }
        throw .codeReused
    }
}
