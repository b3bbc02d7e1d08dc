/// A token endpoint request as the domain sees it: parameters already decoded (form or JSON) and
/// de-duplicated by the HTTP layer, plus the request facts that end up in the token row.
public struct TokenRequest: Sendable {
    public var parameters: TokenParameters
    /// The raw `Authorization` header, if any.
    public let authorization: String?
    /// `authorization` read as `Basic` credentials, once (the HTTP layer checks their size, the grant uses them).
    public let headerCredentials: ClientCredentials?
    public var userAgent: String?
    public var clientIP: String

    public init(parameters: TokenParameters, authorization: String?, userAgent: String?, clientIP: String) {
        self.parameters = parameters
        self.authorization = authorization
        headerCredentials = ClientCredentials.fromAuthorizationHeader(authorization)
        self.userAgent = userAgent
        self.clientIP = clientIP
    }

    /// A parameter that must be present and non-empty.
    public func required(_ name: String) throws(OAuthError) -> String {
        guard let value = parameters[name], !value.isEmpty else { throw .missingParameter(name) }
        return value
    }

    /// The client id with its secret if one was sent: a public client (PKCE) sends only `client_id`.
    public func clientIdentification() throws(OAuthError) -> (id: String, secret: String?) {
        do {
            let credentials = try clientCredentials()
            return (credentials.id, credentials.secret)
        } catch {
            guard error == .credentialsNotAvailable, let id = parameters["client_id"], !id.isEmpty else { throw error }
            return (id, nil)
        }
    }

    /// Client credentials from `Authorization: Basic` or from `client_id`/`client_secret` in the body.
    /// Both present and different is refused rather than guessing which one the client meant.
    public func clientCredentials() throws(OAuthError) -> ClientCredentials {
        let header = headerCredentials
        var body: ClientCredentials?
        if let id = parameters["client_id"], let secret = parameters["client_secret"], !id.isEmpty, !secret.isEmpty {
            body = ClientCredentials(id: id, secret: secret)
        }
        switch (header, body) {
        case (let header?, let body?):
            guard header == body else { throw .conflictingCredentials }
            return header
        case (let header?, nil): return header
        case (nil, let body?): return body
        case (nil, nil): throw .credentialsNotAvailable
        }
    }
}
