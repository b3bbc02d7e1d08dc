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

    /// `payload` as `JSONWriter.encode` writes it, byte for byte (the signature covers these bytes), written in one
    /// pass (`BoundedJSON`): every token signs this.
    public var encodedPayload: [UInt8] {
        let email = email.flatMap { $0.isEmpty ? nil : $0 }
        var capacity = Self.literalLength + 2 * JSONWriter.integerBound
        for text in [issuer, subject, name, name, audience, email, jwtID] {
            if let text { capacity += JSONWriter.escapedLengthBound(of: text) }
        }
        return BoundedJSON.bytes(capacity: capacity) { json in
            json.member(Self.issuerKey, issuer)
            json.member(Self.subjectKey, subject)
            json.literal(Self.issuedAtKey)
            json.integer(Int(issuedAt))
            json.literal(Self.expiresAtKey)
            json.integer(Int(expiresAt))
            json.member(Self.nameKey, name)
            json.member(Self.preferredUsernameKey, name)
            if let audience { json.member(Self.audienceKey, audience) }
            if let email { json.member(Self.emailKey, email) }
            if let jwtID { json.member(Self.jwtIDKey, jwtID) }
            json.byte(UInt8(ascii: "}"))
        }
    }

    private static let issuerKey: StaticString = "{\"iss\":"
    private static let subjectKey: StaticString = ",\"sub\":"
    private static let issuedAtKey: StaticString = ",\"iat\":"
    private static let expiresAtKey: StaticString = ",\"exp\":"
    private static let nameKey: StaticString = ",\"name\":"
    private static let preferredUsernameKey: StaticString = ",\"preferred_username\":"
    private static let audienceKey: StaticString = ",\"aud\":"
    private static let emailKey: StaticString = ",\"email\":"
    private static let jwtIDKey: StaticString = ",\"jti\":"
    /// Every key literal above, and the closing brace.
    private static let literalLength = 1 + BoundedJSON.length(
        of: issuerKey, subjectKey, issuedAtKey, expiresAtKey, nameKey, preferredUsernameKey, audienceKey, emailKey, jwtIDKey)
}
