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

    /// `oauthResponse` as `JSONWriter.encode` writes it, byte for byte, written in one pass (`BoundedJSON`): every
    /// token answer is this object.
    public var oauthResponseBody: [UInt8] {
        var capacity = Self.literalLength + JSONWriter.integerBound + JSONWriter.escapedLengthBound(of: accessToken)
            + JSONWriter.escapedLengthBound(of: refreshToken) + JSONWriter.escapedLengthBound(of: scope)
        if let idToken { capacity += JSONWriter.escapedLengthBound(of: idToken) }
        return BoundedJSON.bytes(capacity: capacity) { json in
            json.member(Self.accessTokenKey, accessToken)
            json.literal(Self.tokenTypeAndExpiresKey)
            json.integer(Int(expiresIn))
            json.member(Self.refreshTokenKey, refreshToken)
            json.member(Self.scopeKey, scope)
            if let idToken { json.member(Self.idTokenKey, idToken) }
            json.byte(UInt8(ascii: "}"))
        }
    }

    private static let accessTokenKey: StaticString = "{\"access_token\":"
    private static let tokenTypeAndExpiresKey: StaticString = ",\"token_type\":\"bearer\",\"expires_in\":"
    private static let refreshTokenKey: StaticString = ",\"refresh_token\":"
    private static let scopeKey: StaticString = ",\"scope\":"
    private static let idTokenKey: StaticString = ",\"id_token\":"
    /// Every literal above, and the closing brace.
    private static let literalLength = 1 + BoundedJSON.length(
        of: accessTokenKey, tokenTypeAndExpiresKey, refreshTokenKey, scopeKey, idTokenKey)
}
