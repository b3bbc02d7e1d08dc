import FusioAuthHTTP
import Testing

/// The event loop's first guess at which requests check a password (a wrong guess costs work, not correctness).
@Suite struct PasswordRoutesTests {
    func guess(_ method: String, _ uri: String, _ body: String = "") -> Bool {
        PasswordRoutes.checksPassword(method: method, requestURI: uri, body: Array(body.utf8))
    }

    @Test func loginsAndTheConsentFormCheckPasswords() {
        #expect(guess("POST", "/consumer/login"))
        #expect(guess("POST", "/authorization/authorize?client_id=x"))
        #expect(!guess("PUT", "/consumer/login"), "PUT refreshes without a password")
        #expect(!guess("GET", "/authorization/authorize"))
    }

    @Test func passwordGrantInFormOrJSON() {
        #expect(guess("POST", "/authorization/token", "grant_type=password&username=a&password=b"))
        #expect(guess("POST", "/authorization/token", "username=a&grant_type=password"))
        #expect(guess("POST", "/authorization/token", #"{"grant_type": "password", "username": "a"}"#))
        #expect(guess("POST", "/authorization/token", #"{"grant_type":"password"}"#))
    }

    @Test func otherGrantsDoNot() {
        #expect(!guess("POST", "/authorization/token", "grant_type=client_credentials"))
        #expect(!guess("POST", "/authorization/token", "grant_type=refresh_token&refresh_token=password"))
        #expect(!guess("POST", "/authorization/token", "grant_type=passwordless"))
        #expect(!guess("POST", "/authorization/token", "grant_type=client_credentials&client_secret=grant_type=passwordx"))
        #expect(!guess("POST", "/authorization/whoami", "grant_type=password"))
    }
}
