import FusioAuth
import Testing

/// `fusio_log` never holds a secret: PHP stores the login password and bearer tokens verbatim; we mask them.
@Suite struct LogRedactionTests {
    func body(_ text: String) -> String? { LogRedaction.body(Array(text.utf8)) }

    @Test func jsonSecretsAreMaskedAndTheRestKept() {
        #expect(body(#"{"username":"demo","password":"s3cret"}"#) == #"{"username":"demo","password":"***"}"#)
        #expect(body(#"{"refresh_token":"abc-def"}"#) == #"{"refresh_token":"***"}"#)
        #expect(body(#"{"outer":{"password":"x"},"list":[{"token":"t"}]}"#) == #"{"outer":{"password":"***"},"list":[{"token":"***"}]}"#)
        #expect(body(#"{"\u0070assword":"s3cret"}"#) == #"{"password":"***"}"#, "an escaped name is still the secret")
    }

    @Test func formSecretsAreMaskedInPlace() {
        #expect(body("grant_type=password&username=demo&password=s%20cret") == "grant_type=password&username=demo&password=***")
        #expect(body("token=abc&client_id=k&client_secret=s") == "token=***&client_id=k&client_secret=***")
        #expect(body("pass%77ord=x") == "pass%77ord=***", "a percent-encoded name is still the secret parameter")
    }

    @Test func bodiesWithoutSecretsStayAsSent() {
        #expect(body(#"{ "username": "demo" }"#) == #"{ "username": "demo" }"#)
        #expect(body("") == nil)
    }

    @Test func unreadableBodiesThatMentionASecretAreNotStored() throws {
        let stored = try #require(body(#"{"password":"s3cret""#))
        #expect(!stored.contains("s3cret"))
        let other = try #require(body("password: s3cret\nmore"))
        #expect(!other.contains("s3cret"))
    }

    @Test func headerCredentialsAreMaskedAndNamesWrittenAsPHPDoes() {
        let header = LogRedaction.header([("authorization", "Bearer eyJ.abc.def"), ("user-agent", "curl/8"),
                                          ("cookie", "session=1"), ("x-forwarded-for", "192.0.2.1")])
        #expect(header == "Authorization: Bearer ***\nUser-Agent: curl/8\nCookie: ***\nX-Forwarded-For: 192.0.2.1")
        #expect(LogRedaction.header([("authorization", "opaque")]) == "Authorization: ***")
    }
}
