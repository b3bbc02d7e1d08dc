/// Writes a token the way PHP Fusio does (§4.1, §4.6, §4.7), shared by every grant: checks the scope list
/// and the app's and user's status at issue time, signs the JWT and stores row and audit in one transaction.
public final class TokenIssuer {
    public static let maximumScopeLength = 1023
    /// `fusio_token.token` is VARCHAR(512).
    public static let maximumTokenLength = 512
    /// Fusio cuts the token name at 250; we cut at a character boundary instead of mid-UTF-8.
    public static let maximumNameLength = 250

    private let baseURL: String
    private let projectKey: [UInt8]
    private let tokenLifetime: ISODuration
    private let tokens: any TokenRepository
    private let clock: any Clock
    /// `sub` by user id: a SHA-1 and a UUID layout per token otherwise. One issuer serves one thread.
    private var subjects: [Int: String] = [:]
    private static let maximumCachedSubjects = 4096

    public init(settings: Settings, tokens: any TokenRepository, clock: any Clock) {
        self.baseURL = settings.baseURL
        self.projectKey = settings.projectKey
        self.tokenLifetime = settings.tokenLifetime
        self.tokens = tokens
        self.clock = clock
    }

    /// Checks, signs and stores a token in one step (row and audit in one transaction).
    public func issue(app: FusioApp?, user: FusioUser?, scopes: [String], category: String, name: String,
                      ip: String) throws(OAuthError) -> IssuedToken {
        let prepared = try prepare(app: app, user: user, scopes: scopes, category: category, name: name, ip: ip)
        let stored = try OAuthError.storage { () throws(StorageError) in try tokens.insert(prepared.row, audit: prepared.audit) }
        guard stored else { throw .inactivePrincipal }
        return prepared.response
    }

    /// Checks and signs a token without storing it, for grants that must store it in a transaction of their own
    /// (consuming a code, rotating a refresh token).
    public func prepare(app: FusioApp?, user: FusioUser?, scopes: [String], category: String, name: String,
                        ip: String) throws(OAuthError) -> PreparedToken {
        guard !scopes.isEmpty else { throw .noValidScope }
        let scope = ScopeList.join(scopes)
        guard scope.utf8.count <= Self.maximumScopeLength else { throw .tooManyScopes }
        if let app, !app.isActive { throw .invalidAppStatus }
        guard let user else { throw .invalidUser }
        guard user.isActive else { throw .invalidUserStatus }

        let now = clock.now()
        let expire = tokenLifetime.added(to: now)
        var claims = AccessTokenClaims(
            issuer: baseURL, subject: subject(userID: user.id),
            issuedAt: now.seconds, expiresAt: expire.seconds, name: user.name, audience: app?.key,
            email: user.email)
        let accessToken = try signFitting(&claims)
        
        let row = NewToken(
            categoryName: category, appID: app?.id, userID: user.id, name: Self.tokenName(name),
            accessToken: accessToken, refreshToken: TokenGenerator.refreshToken(), scope: scope, ip: ip,
            expire: expire, date: now)
        let audit = TokenAudit(appID: app?.id, userID: user.id, ip: ip, scopes: scopes, expires: expire, now: now)
        let response = IssuedToken(
            accessToken: accessToken, expiresIn: expire.seconds - now.seconds, refreshToken: row.refreshToken,
            scope: scope, idToken: scopes.contains("openid") ? accessToken : nil)
        return PreparedToken(row: row, audit: audit, response: response)
    }

    private func subject(userID: Int) -> String {
        if let known = subjects[userID] { return known }
        if subjects.count >= Self.maximumCachedSubjects { subjects.removeAll(keepingCapacity: true) }
        let made = FusioSubject.make(baseURL: baseURL, userID: userID)
        subjects[userID] = made
        return made
    }

    /// `jti` random bytes tried in turn: the full 128 bits, 64 bits, then none. A token of a user with a long name
    /// or e-mail still fits `fusio_token.token` wherever PHP's (which has no `jti`) fits; it is never truncated.
    static let jwtIDSizes = [16, 8, 0]

    /// Signs the claims with the largest `jti` whose token fits the column. A token too long even without `jti`
    /// cannot be stored — PHP fails there as well — and is a server error (500) with the length in the log.
    private func signFitting(_ claims: inout AccessTokenClaims) throws(OAuthError) -> String {
        var length = 0
        for size in Self.jwtIDSizes {
            claims.jwtID = size > 0 ? TokenGenerator.jwtID(bytes: size) : nil
            let token = JSONWebToken.sign(encodedPayload: claims.encodedPayload, key: projectKey)
            if token.utf8.count <= Self.maximumTokenLength { return token }
            length = token.utf8.count
        }
        throw .serverError(logDetail: "access token of \(length) characters without jti exceeds fusio_token.token (512)")
    }

    /// Fusio stores "n/a" when the client sent no User-Agent.
    static func tokenName(_ name: String) -> String {
        guard !name.isEmpty else { return "n/a" }
        let scalars = name.unicodeScalars
        guard scalars.count > maximumNameLength else { return name }
        var cut = String.UnicodeScalarView()
        cut.append(contentsOf: scalars.prefix(maximumNameLength))
        return String(cut)
    }
}
