import FusioAuth
import Testing

/// Tokens always fit `fusio_token.token` (VARCHAR(512)): the `jti` shrinks, then goes, before a token would be
/// too long; a token too long even without it is refused, never truncated.
@Suite struct TokenIssuerTests {
    let store = InMemoryStore()

    func issue(name: String, email: String) throws(OAuthError) -> String {
        let settings = try! TestSettings.minimal()
        let issuer = TokenIssuer(settings: settings, tokens: store, clock: FixedClock(time: UnixTime(seconds: 1_700_000_000)))
        let user = FusioUser(id: 2, status: 1, name: name, email: email, identityID: nil, passwordHash: nil)
        let app = FusioApp(id: 3, userID: 2, status: 1, name: "app", url: "https://example.com",
                           key: "5347307d-d801-4075-9aaa-a21a29a448c5", secret: "s")
        return try issuer.issue(app: app, user: user, scopes: ["authorization"], category: "authorization",
                                name: "ua", ip: "127.0.0.1").accessToken
    }

    func claims(_ token: String) throws -> JSONObject {
        try JSONWebToken.verify(token, key: Array(TestSettings.projectKey.utf8), now: 1_700_000_001)
    }

    @Test func ordinaryTokenCarriesA128BitJti() throws {
        let token = try issue(name: "Consumer", email: "consumer@example.com")
        guard case .string(let jti) = try claims(token)["jti"] else { Issue.record("no jti"); return }
        #expect(jti.utf8.count == 22)
    }

    @Test func longNameAndEmailStillGetATokenThatFits() throws {
        // Name and e-mail long enough that the 22-character jti would push the token past 512 characters.
        // Growing names until not even a token without jti fits; every one before that must be issued.
        var sawShortened = false
        for extra in 0..<200 {
            let name = String(repeating: "n", count: 40 + extra)
            let token: String
            do {
                token = try issue(name: name, email: "\(String(repeating: "e", count: 20))@example.com")
            } catch {
                #expect(error.code == "server_error")
                break
            }
            #expect(token.utf8.count <= TokenIssuer.maximumTokenLength)
            let jti = try claims(token)["jti"]
            if case .string(let value) = jti, value.utf8.count == 22 { continue }
            sawShortened = true
        }
        #expect(sawShortened, "no length in the range needed a shorter jti: the test no longer reaches the edge")
        #expect(store.inserted.allSatisfy { $0.token.accessToken.utf8.count <= TokenIssuer.maximumTokenLength })
    }

    @Test func tokenTooLongEvenWithoutJtiIsAServerErrorAndNothingIsStored() {
        do {
            _ = try issue(name: String(repeating: "n", count: 200), email: "\(String(repeating: "e", count: 100))@example.com")
            Issue.record("a token over 512 characters was issued")
        } catch {
            #expect(error.code == "server_error")
        }
        #expect(store.inserted.isEmpty)
    }
}
