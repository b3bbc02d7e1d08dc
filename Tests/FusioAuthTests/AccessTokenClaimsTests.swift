import FusioAuth
import Testing

@Suite struct AccessTokenClaimsTests {
    private func json(_ claims: AccessTokenClaims) -> String {
        String(decoding: JSONWriter.encode(.object(claims.payload)), as: UTF8.self)
    }

    @Test func minimalClaims() {
        let claims = AccessTokenClaims(issuer: "https://api.example.com/", subject: "s", issuedAt: 10, expiresAt: 20, name: "n")
        #expect(json(claims) == #"{"iss":"https://api.example.com/","sub":"s","iat":10,"exp":20,"name":"n","preferred_username":"n"}"#)
    }

    @Test func optionalClaimsInOrder() {
        let claims = AccessTokenClaims(issuer: "i", subject: "s", issuedAt: 1, expiresAt: 2, name: "n",
                                       audience: "a", email: "e@x", jwtID: "j")
        #expect(claims.payload.keys == ["iss", "sub", "iat", "exp", "name", "preferred_username", "aud", "email", "jti"])
        #expect(json(claims) == #"{"iss":"i","sub":"s","iat":1,"exp":2,"name":"n","preferred_username":"n","aud":"a","email":"e@x","jti":"j"}"#)
    }

    @Test func emptyEmailIsOmitted() {
        let claims = AccessTokenClaims(issuer: "i", subject: "s", issuedAt: 1, expiresAt: 2, name: "n", email: "", jwtID: "j")
        #expect(claims.payload.keys == ["iss", "sub", "iat", "exp", "name", "preferred_username", "jti"])
    }

    @Test(arguments: [
        AccessTokenClaims(issuer: "https://api.example.com/", subject: "s", issuedAt: 10, expiresAt: 20, name: "n"),
        AccessTokenClaims(issuer: "i", subject: "s", issuedAt: -1, expiresAt: Int64(Int32.max) * 9, name: "ünï \"q\" 😀",
                          audience: "a/b", email: "e@x", jwtID: "j"),
        AccessTokenClaims(issuer: "", subject: "", issuedAt: 0, expiresAt: 0, name: "", audience: "", email: "", jwtID: ""),
        AccessTokenClaims(issuer: String(repeating: "i", count: 700), subject: "s\u{1}\u{7F}\\", issuedAt: 1, expiresAt: 2,
                          name: "\u{2028}", email: nil, jwtID: "0123456789abcdef"),
    ])
    func encodedPayloadMatchesTheGeneralWriter(claims: AccessTokenClaims) {
        #expect(claims.encodedPayload == JSONWriter.encode(.object(claims.payload)))
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        #expect(JSONWebToken.sign(encodedPayload: claims.encodedPayload, key: key) == JSONWebToken.sign(payload: claims.payload, key: key))
    }
}
