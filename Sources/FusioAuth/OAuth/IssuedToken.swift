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

    /// `oauthResponse` as `JSONWriter.encode` writes it, byte for byte, but straight into one buffer sized up
    /// front (by a bound, so each string is read once): every token answer is this object, and building and walking the `JSONValue` tree twice cost
    /// ~12 k instructions per token.
    public var oauthResponseBody: [UInt8] {
        var capacity = Self.literalLength + JSONWriter.integerBound
        capacity += JSONWriter.escapedLengthBound(of: accessToken) + JSONWriter.escapedLengthBound(of: refreshToken)
            + JSONWriter.escapedLengthBound(of: scope)
        if let idToken { capacity += JSONWriter.escapedLengthBound(of: idToken) }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var cursor = JSONWriter.Cursor(position: buffer.baseAddress!)
            cursor.put(Self.accessTokenKey)
            JSONWriter.writeString(accessToken, to: &cursor, escapeSlashes: false)
            cursor.put(Self.tokenTypeAndExpiresKey)
            JSONWriter.writeInteger(Int(expiresIn), to: &cursor)
            cursor.put(Self.refreshTokenKey)
            JSONWriter.writeString(refreshToken, to: &cursor, escapeSlashes: false)
            cursor.put(Self.scopeKey)
            JSONWriter.writeString(scope, to: &cursor, escapeSlashes: false)
            if let idToken {
                cursor.put(Self.idTokenKey)
                JSONWriter.writeString(idToken, to: &cursor, escapeSlashes: false)
            }
            cursor.put(UInt8(ascii: "}"))
            initialized = cursor.position - buffer.baseAddress!
            precondition(initialized <= capacity, "IssuedToken size bound violated")
        }
    }

    private static let accessTokenKey: StaticString = "{\"access_token\":"
    private static let tokenTypeAndExpiresKey: StaticString = ",\"token_type\":\"bearer\",\"expires_in\":"
    private static let refreshTokenKey: StaticString = ",\"refresh_token\":"
    private static let scopeKey: StaticString = ",\"scope\":"
    private static let idTokenKey: StaticString = ",\"id_token\":"
    /// Every literal above, and the closing brace.
    private static let literalLength = [accessTokenKey, tokenTypeAndExpiresKey, refreshTokenKey, scopeKey, idTokenKey]
        .reduce(1) { $0 + $1.utf8CodeUnitCount }
}
