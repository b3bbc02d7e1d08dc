/// Fusio's authorize step (§3.4.3), shared by `POST /consumer/authorize` and the HTML consent form, with the
/// fixes of §8.2: the redirect host must equal the app's host or be a subdomain on a dot boundary, an error is
/// only sent to a redirect URI that passed that check, an empty scope result is refused, and PKCE challenges
/// are recorded.
public final class AuthorizeService {
    private let apps: any AppRepository
    private let users: any UserRepository
    private let consents: any ConsentRepository
    private let tokens: any TokenRepository
    private let clock: any Clock

    public init(apps: any AppRepository, users: any UserRepository, consents: any ConsentRepository,
                tokens: any TokenRepository, clock: any Clock) {
        self.apps = apps
        self.users = users
        self.consents = consents
        self.tokens = tokens
        self.clock = clock
    }

    public func authorize(userID: Int, _ request: AuthorizeRequest) throws(StorageError) -> AuthorizeResult {
        let state = request.state.flatMap { $0.isEmpty ? nil : $0 }
        var redirect: RedirectURI?
        if let raw = request.redirectURI, !raw.isEmpty {
            guard let parsed = RedirectURI(raw) else {
                return .failure("invalid_request", "Provided an invalid redirect uri", state: state, redirect: nil)
            }
            redirect = parsed
        }
        guard request.responseType == "code" else {
            return .failure("unsupported_response_type", "Invalid response type", state: state, redirect: nil)
        }
        guard !request.clientID.isEmpty else {
            return .failure("invalid_request", "No client id provided", state: state, redirect: nil)
        }
        guard let client = try apps.findClients(appKey: request.clientID, allowCached: false).clients.first(where: { $0.app.isActive }) else {
            return .failure("invalid_request", "Provided an invalid client id", state: state, redirect: nil)
        }
        if let redirect {
            guard !client.app.url.isEmpty else {
                return .failure("server_error", "App has no url configured", state: state, redirect: nil)
            }
            guard redirect.isAllowed(forAppURL: client.app.url) else {
                return .failure("invalid_request", "Redirect uri must have the same host as the app url", state: state, redirect: nil)
            }
        }
        // From here on the redirect URI is trusted: errors go back to the client through it.
        guard !request.scope.isEmpty else {
            return .failure("invalid_request", "No scope was selected", state: state, redirect: redirect)
        }
        var challenge: CodeChallenge?
        if let value = request.codeChallenge, !value.isEmpty {
            let methodName = request.codeChallengeMethod.flatMap { $0.isEmpty ? nil : $0 } ?? "plain"
            guard let method = CodeChallenge.Method(rawValue: methodName), CodeChallenge.isWellFormed(value) else {
                return .failure("invalid_request", "Invalid code challenge", state: state, redirect: redirect)
            }
            challenge = CodeChallenge(challenge: value, method: method)
        }
        let userScopes = try users.availableScopes(userID: userID)
        let scopes = ScopeResolver.validScopes(requested: request.scope, app: client.appScopes, user: userScopes)
        guard !scopes.isEmpty else {
            return .failure("invalid_scope", "No valid scope given", state: state, redirect: redirect)
        }
        guard request.allow else {
            try tokens.revokeTokens(userID: userID, appID: client.app.id)
            return .failure("access_denied", "The access was denied by the user", state: state, redirect: redirect)
        }
        let code = TokenGenerator.authorizationCode()
        try consents.storeCode(code, appID: client.app.id, userID: userID, redirectURI: redirect?.raw,
                               scope: ScopeList.join(scopes), challenge: challenge, now: clock.now())
        return .code(code, state: state, redirectURI: redirect?.replacingQuery(with: [("code", code), ("state", state)]))
    }
}
