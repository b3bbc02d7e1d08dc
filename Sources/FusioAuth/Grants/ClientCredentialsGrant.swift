import FusioCrypto

/// `grant_type=client_credentials` (§3.3.3): an active app by key whose secret matches, or — Fusio's fallback
/// used by its SDKs and backend — a user's name or e-mail and password as client id and secret.
public final class ClientCredentialsGrant: GrantHandler {
    public let grantType = "client_credentials"
    /// Fusio's token category for every OAuth grant.
    static let category = "authorization"

    private let apps: any AppRepository
    private let users: any UserRepository
    private let authenticator: UserAuthenticator
    private let issuer: TokenIssuer

    public init(apps: any AppRepository, users: any UserRepository, authenticator: UserAuthenticator,
                issuer: TokenIssuer) {
        self.apps = apps
        self.users = users
        self.authenticator = authenticator
        self.issuer = issuer
    }

    public func handle(_ request: TokenRequest) throws(OAuthError) -> IssuedToken {
        let credentials = try request.clientCredentials()
        let requested = request.parameters["scope"] ?? ""
        do {
            let secret = Array(credentials.secret.utf8)
            if let client = try apps.findClients(appKey: credentials.id).first(where: {
                $0.app.isActive && ConstantTime.equals(Array($0.app.secret.utf8), secret)
            }) {
                let scopes = ScopeResolver.validScopes(
                    requested: requested.isEmpty ? ScopeResolver.defaultScopeString(user: client.ownerScopes) : requested,
                    app: client.appScopes, user: client.ownerScopes)
                return try issuer.issue(app: client.app, user: client.owner, scopes: scopes, category: Self.category,
                                        name: request.userAgent ?? "", ip: request.clientIP)
            }
            guard let user = try authenticator.authenticate(login: credentials.id, password: credentials.secret) else {
                throw OAuthError.unknownCredentials
            }
            let userScopes = try users.availableScopes(userID: user.id)
            let scopes = ScopeResolver.validScopes(
                requested: requested.isEmpty ? ScopeResolver.defaultScopeString(user: userScopes) : requested,
                app: nil, user: userScopes)
            return try issuer.issue(app: nil, user: user, scopes: scopes, category: Self.category,
                                    name: request.userAgent ?? "", ip: request.clientIP)
        } catch let error as StorageError {
            throw .temporarilyUnavailable(error)
        } catch let error as OAuthError {
            throw error
        } catch {
            throw .serverError(logDetail: "\(type(of: error))")
        }
    }
}
