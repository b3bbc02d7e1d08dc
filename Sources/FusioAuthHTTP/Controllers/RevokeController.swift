import FusioAuth

/// `POST /authorization/revoke` in both forms: Fusio's (the request's own bearer token, §3.5) and RFC 7009
/// (`token=…` with client authentication: the access or refresh token is revoked if it belongs to that client;
/// unknown tokens also answer 200, as the RFC says).
/// Both run as operation `authorization.revoke` (switching it off in the backend closes the path for both); the
/// RFC form authenticates the client itself, so it counts as anonymous for the rate limit and the request log.
public final class RevokeController: OperationAction {
    private let tokens: any AccessTokenRepository
    private let clients: ClientAuthenticator
    private let clock: any Clock

    public init(tokens: any AccessTokenRepository, clients: ClientAuthenticator, clock: any Clock) {
        self.tokens = tokens
        self.clients = clients
        self.clock = clock
    }

    /// A body that cannot be read goes to the action as well, which answers it with `invalid_request`.
    public func authentication(for request: HTTPRequest) -> OperationAuthentication {
        guard case .success = ClientRequest.parse(request, clientIP: "") else { return .anonymous }
        return Self.clientForm(request) == nil ? .bearer(alsoAllowed: []) : .anonymous
    }

    public func perform(_ request: HTTPRequest, context: OperationContext) -> HTTPResponse {
        ClientRequest.noStore(respond(request, context: context))
    }

    /// RFC 7009's form: `token=…` with client credentials (Basic or body); nil for Fusio's bearer form.
    private static func clientForm(_ request: HTTPRequest, clientIP: String = "") -> (token: String, request: TokenRequest)? {
        guard case .success(let parsed) = ClientRequest.parse(request, clientIP: clientIP),
              let value = parsed.parameters["token"], !value.isEmpty,
              (try? parsed.tokenRequest.clientCredentials()) != nil else { return nil }
        return (value, parsed.tokenRequest)
    }

    private func respond(_ request: HTTPRequest, context: OperationContext) -> HTTPResponse {
        if case .failure(let box) = ClientRequest.parse(request, clientIP: context.clientIP) { return box.response }
        if let form = Self.clientForm(request, clientIP: context.clientIP) {
            return revokeForClient(form.token, request: form.request)
        }
        guard let token = context.token else { return HTTPError.notFound.response }
        do {
            let audit = RevocationAudit(appID: token.appID, userID: token.userID, ip: context.clientIP, now: clock.now())
            guard try tokens.revoke(tokenID: token.id, audit: audit) else {
                return HTTPError(status: 404, message: "Invalid token").response
            }
        } catch {
            return HTTPError.databaseUnavailable.response
        }
        return .json(200, ["success": .bool(true)], headers: TokenController.noStore)
    }

    private func revokeForClient(_ value: String, request: TokenRequest) -> HTTPResponse {
        do {
            let credentials = try request.clientCredentials()
            guard let client = try OAuthError.storage({ () throws(StorageError) in
                try clients.authenticate(credentials, allowCached: false)
            }) else { throw OAuthError.unknownCredentials }
            if let found = try OAuthError.storage({ () throws(StorageError) in try tokens.findActiveByAccessOrRefresh(value) }),
               found.appID == client.app.id {
                let audit = RevocationAudit(appID: client.app.id, userID: found.userID, ip: request.clientIP, now: clock.now())
                _ = try OAuthError.storage { () throws(StorageError) in try tokens.revoke(tokenID: found.id, audit: audit) }
            }
            return .json(200, [:], headers: TokenController.noStore)
        } catch let error as OAuthError {
            return TokenController.render(error)
        } catch {
            return TokenController.render(.serverError(logDetail: "revoke"))
        }
    }
}
