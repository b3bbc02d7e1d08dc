/// `POST /authorization/token`: dispatches on `grant_type`.
public final class TokenEndpoint {
    private let handlers: [String: any GrantHandler]

    public init(handlers: [any GrantHandler]) {
        var byType: [String: any GrantHandler] = [:]
        for handler in handlers { byType[handler.grantType] = handler }
        self.handlers = byType
    }

    public func handle(_ request: TokenRequest) throws(OAuthError) -> IssuedToken {
        guard let type = request.parameters["grant_type"], let handler = handlers[type] else {
            throw .unsupportedGrantType
        }
        return try handler.handle(request)
    }
}
