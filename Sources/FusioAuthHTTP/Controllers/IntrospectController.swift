import FusioAuth

/// `POST /authorization/introspect` (RFC 7662), which Fusio lacks: a client may ask about its own tokens only;
/// everything else, including another app's live token, is `{"active": false}`.
public final class IntrospectController: HTTPHandler {
    private let validator: BearerValidator
    private let clients: ClientAuthenticator
    private let projectKey: [UInt8]
    private let clock: any Clock

    public init(validator: BearerValidator, clients: ClientAuthenticator, projectKey: [UInt8], clock: any Clock) {
        self.validator = validator
        self.clients = clients
        self.projectKey = projectKey
        self.clock = clock
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        ClientRequest.noStore(respond(request))
    }

    private func respond(_ request: HTTPRequest) -> HTTPResponse {
        let parsed: ClientRequest
        switch ClientRequest.parse(request, clientIP: request.remoteAddress) {
        case .success(let value): parsed = value
        case .failure(let box): return box.response
        }
        let parameters = parsed.parameters
        let tokenRequest = parsed.tokenRequest
        let client: ClientApp
        do {
            let credentials = try tokenRequest.clientCredentials()
            guard let found = try OAuthError.storage({ () throws(StorageError) in
                try clients.authenticate(credentials, allowCached: false)
            }) else { throw OAuthError.unknownCredentials }
            client = found
        } catch let error as OAuthError {
            return TokenController.render(error.code == "invalid_request" ? .unknownCredentials : error)
        } catch {
            return TokenController.render(.unknownCredentials)
        }
        let inactive = HTTPResponse.json(200, ["active": .bool(false)], headers: TokenController.noStore)
        guard let value = parameters["token"], !value.isEmpty,
              let token = try? validator.validate(token: value), token.appID == client.app.id else {
            return inactive
        }
        var object: JSONObject = [
            "active": .bool(true), "scope": .string(token.scope), "client_id": .string(client.app.key),
            "username": .string(token.userName),
        ]
        if let claims = try? JSONWebToken.verify(value, key: projectKey, now: clock.now().seconds) {
            for name in ["sub", "exp", "iat", "iss"] {
                if let claim = claims[name] { object.append(name, claim) }
            }
        }
        object.append("token_type", .string("bearer"))
        return .json(200, object, headers: TokenController.noStore)
    }
}
