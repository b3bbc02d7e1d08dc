@testable import FusioAuth
import Testing

@Suite struct IssuedTokenTests {
    @Test func bodyIsTheEncodedResponseObject() {
        let token = IssuedToken(accessToken: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", expiresIn: 172_800,
                                refreshToken: "d2c7f0a3b4", scope: "authorization,backend", idToken: nil)
        #expect(String(decoding: token.oauthResponseBody, as: UTF8.self)
            == #"{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl","token_type":"bearer","expires_in":172800,"refresh_token":"d2c7f0a3b4","scope":"authorization,backend"}"#)
    }

    @Test(arguments: [
        ("", Int64(0), "", "", nil),
        ("a.b.c", -5, "r", "openid,a/b,quote\"d,back\\slash", "a.b.c"),
        (String(repeating: "x", count: 999), Int64(Int32.max) * 4, "r\u{1}", "ünï,😀,\u{7F}", "id/\u{2028}"),
    ] as [(String, Int64, String, String, String?)])
    func bodyMatchesTheGeneralWriter(access: String, expires: Int64, refresh: String, scope: String, id: String?) {
        let token = IssuedToken(accessToken: access, expiresIn: expires, refreshToken: refresh, scope: scope, idToken: id)
        #expect(token.oauthResponseBody == JSONWriter.encode(.object(token.oauthResponse)))
    }
}
