/// A freshly issued token as the token endpoint answers it (§3.3.8).
public struct IssuedToken: Sendable, Equatable {
    public var accessToken: String
    public var expiresIn: Int64
    public var refreshToken: String
    public var scope: String
    /// Fusio returns the access token again as `id_token` when `openid` was granted.
    public var idToken: String?

    /// The OAuth2 response body: `{access_token, token_type, expires_in, refresh_token, scope[, id_token]}`.
    public var oauthResponse: JSONObject {
        var object: JSONObject = [
            "access_token": .string(accessToken),
            "token_type": .string("bearer"),
            "expires_in": .int(Int(expiresIn)),
            "refresh_token": .string(refreshToken),
            "scope": .string(scope),
        ]
        if let idToken { object.append("id_token", .string(idToken)) }
        return object
    }
}
