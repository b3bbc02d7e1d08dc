import FusioAuth

/// `POST /authorization/revoke` in both forms: Fusio's (the request's own bearer token, §3.5) and RFC 7009
/// (`token=…` with client authentication: the access or refresh token is revoked if it belongs to that client;
/// unknown tokens also answer 200, as the RFC says).
public final class RevokeController: HTTPHandler {
    private let operation: ProtectedOperation
    private let tokens: any AccessTokenRepository
    private let clients: ClientAuthenticator
    private let clientIP: ClientIPResolver
    private let clock: any Clock

    public init(validator: BearerValidator, tokens: any AccessTokenRepository, clients: ClientAuthenticator,
                clientIP: ClientIPResolver, baseURL: String, clock: any Clock) {
        operation = ProtectedOperation(name: "authorization.revoke", validator: validator, tokens: tokens,
                                       challenge: BearerChallenge(baseURL: baseURL))
        self.tokens = tokens
        self.clients = clients
        self.clientIP = clientIP
        self.clock = clock
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        ClientRequest.noStore(respond(request))
    }

    private func respond(_ request: HTTPRequest) -> HTTPResponse {
        let parsed: ClientRequest
        switch ClientRequest.parse(request, clientIP: clientIP.resolve(request)) {
        case .success(let value): parsed = value
        case .failure(let box): return box.response
        }
        let parameters = parsed.parameters
        let tokenRequest = parsed.tokenRequest
        if let value = parameters["token"], !value.isEmpty, (try? tokenRequest.clientCredentials()) != nil {
            // Switching the operation off in the backend closes the path for both forms.
            do {
                guard try tokens.operation(named: "authorization.revoke") != nil else { return HTTPError.notFound.response }
            } catch {
                return HTTPError.databaseUnavailable.response
            }
            return revokeForClient(value, request: tokenRequest)
        }
        return revokeOwnToken(request)
    }

    private func revokeOwnToken(_ request: HTTPRequest) -> HTTPResponse {
        let token: ActiveToken
        switch operation.check(request) {
        case .allowed(let allowed): token = allowed
        case .refused(let response): return response
        }
        do {
            let audit = RevocationAudit(appID: token.appID, userID: token.userID, ip: clientIP.resolve(request), now: clock.now())
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
