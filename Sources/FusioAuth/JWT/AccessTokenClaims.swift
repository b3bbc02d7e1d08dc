/// The claims of an access token. `payload` lists them in PHP Fusio's order (reference §4.1) — the order is
/// part of the signed bytes.
public struct AccessTokenClaims: Sendable, Equatable {
    /// `iss`: the base URL (`APP_URL`) verbatim.
    public var issuer: String
    /// `sub`: `FusioSubject.make(baseURL:userID:)`.
    public var subject: String
    public var issuedAt: Int64
    public var expiresAt: Int64
    /// `fusio_user.name`, written as both `name` and `preferred_username`.
    public var name: String
    /// `aud`: the app key, only for tokens issued to an app.
    public var audience: String?
    /// `email`: omitted when nil or empty.
    public var email: String?
    /// `jti`: fusio-auth's own addition (PHP Fusio has none), appended last so every PHP claim keeps its position.
    public var jwtID: String?

    public init(
        issuer: String, subject: String, issuedAt: Int64, expiresAt: Int64, name: String,
        audience: String? = nil, email: String? = nil, jwtID: String? = nil
    ) {
        self.issuer = issuer
        self.subject = subject
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.name = name
        self.audience = audience
        self.email = email
        self.jwtID = jwtID
    }

    public var payload: JSONObject {
        var object = JSONObject()
        object.reserveCapacity(9)
        object.append("iss", .string(issuer))
        object.append("sub", .string(subject))
        object.append("iat", .int(Int(issuedAt)))
        object.append("exp", .int(Int(expiresAt)))
        object.append("name", .string(name))
        object.append("preferred_username", .string(name))
        if let audience { object.append("aud", .string(audience)) }
        if let email, !email.isEmpty { object.append("email", .string(email)) }
        if let jwtID { object.append("jti", .string(jwtID)) }
        return object
    }
}
