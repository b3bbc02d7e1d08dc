import FusioAuth

/// What RFC 7009 revocation and RFC 7662 introspection share: a form (or JSON) body read as the token endpoint
/// reads it, the client's credentials from Basic or the body, and `Cache-Control: no-store` on every answer.
struct ClientRequest {
    let parameters: RequestParameters
    let tokenRequest: TokenRequest

    /// The parsed request, or the OAuth error response for a body that cannot be read.
    static func parse(_ request: HTTPRequest, clientIP: String) -> Result<ClientRequest, HTTPResponseBox> {
        let parameters: RequestParameters
        do throws(RequestParameterError) {
            // No (or an unknown) content type: no body parameters; the request may still be Fusio's bearer form.
            if let body = try RequestParameters.ofBody(request) { parameters = body } else { parameters = try .form([UInt8]()) }
        } catch {
            return .failure(HTTPResponseBox(TokenController.render(.invalidRequest(error.description))))
        }
        return .success(ClientRequest(parameters: parameters, tokenRequest: TokenRequest(
            parameters: parameters.scalars, authorization: request.header("authorization"),
            userAgent: request.header("user-agent"), clientIP: clientIP)))
    }

    static func noStore(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        if !response.headers.contains(where: { $0.0 == "Cache-Control" }) {
            response.headers.append(("Cache-Control", "no-store"))
        }
        return response
    }
}

/// An `HTTPResponse` as a `Result` failure.
struct HTTPResponseBox: Error {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
