/// `POST /authorization/token`: dispatches on `grant_type`.
public final class TokenEndpoint {
    /// Four grant types: found by comparing, not hashing. A later handler for the same type replaces the earlier.
    private let handlers: [(type: String, handler: any GrantHandler)]

    public init(handlers: [any GrantHandler]) {
        var byType: [(type: String, handler: any GrantHandler)] = []
        for handler in handlers {
            byType.removeAll { $0.type == handler.grantType }
            byType.append((handler.grantType, handler))
        }
        self.handlers = byType
    }

    public func handle(_ request: TokenRequest) throws(OAuthError) -> IssuedToken {
        guard let type = request.parameters["grant_type"],
              let handler = handlers.first(where: { $0.type == type })?.handler
        else {
            throw .unsupportedGrantType
        }
        return try handler.handle(request)
    }
}
