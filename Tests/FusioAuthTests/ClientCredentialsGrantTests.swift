import FusioAuth
import FusioCrypto
import Testing

@Suite struct ClientCredentialsGrantTests {
    static let key = Array(TestSettings.projectKey.utf8)
    static let now = UnixTime(seconds: 1_700_000_000)
    // bcrypt of 'qf2vX10Ec3wFZHx0K1eL' made by PHP (reference §1.7)
    static let phpHash = "$2y$10$kzShn17/Gtwtjh8WkYxs0uwokSJ0I.cLipknifdIKBVpIng4eQP4y"

    let store = InMemoryStore()
    let grant: ClientCredentialsGrant

    init() throws {
        let settings = try TestSettings.minimal()
        let owner = FusioUser(id: 2, status: 1, name: "Consumer", email: "consumer@localhost.com", identityID: nil,
                              passwordHash: Self.phpHash)
        store.users = [owner]
        let ownerScopes = AvailableScopes(direct: [
            ScopeGrant(name: "consumer", subScopes: ["consumer.account", "consumer.app"]),
            ScopeGrant(name: "authorization", subScopes: []),
            ScopeGrant(name: "openid", subScopes: []),
        ])
        store.userScopes[2] = ownerScopes
        store.clients = [ClientApp(
            app: FusioApp(id: 3, userID: 2, status: 1, name: "app", url: "https://example.com",
                          key: "5347307d-d801-4075-9aaa-a21a29a448c5", secret: "s3cret"),
            owner: owner,
            appScopes: AvailableScopes(direct: [ScopeGrant(name: "authorization", subScopes: []),
                                                ScopeGrant(name: "consumer.app", subScopes: [])]),
            ownerScopes: ownerScopes)]
        let issuer = TokenIssuer(settings: settings, tokens: store, clock: FixedClock(time: Self.now))
        grant = ClientCredentialsGrant(clients: ClientAuthenticator(apps: store), users: store, authenticator: UserAuthenticator(users: store),
                                       issuer: issuer)
    }

    func request(_ parameters: TokenParameters, basic: (String, String)? = nil, userAgent: String? = "ua") -> TokenRequest {
        var header: String?
        if let (id, secret) = basic { header = "Basic " + Base64.encode("\(id):\(secret)".utf8) }
        return TokenRequest(parameters: parameters, authorization: header, userAgent: userAgent, clientIP: "10.0.0.1")
    }

    @Test func appCredentialsIssueTokenWithIntersectedScopesInUserOrder() throws {
        let token = try grant.handle(request(["grant_type": "client_credentials", "scope": "consumer.app authorization"],
                                             basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret")))
        #expect(token.scope == "consumer.app,authorization")
        #expect(token.expiresIn == 172_800)
        #expect(token.idToken == nil)
        let row = try #require(store.inserted.first)
        #expect(row.token.appID == 3)
        #expect(row.token.userID == 2)
        #expect(row.token.categoryName == "authorization")
        #expect(row.token.name == "ua")
        #expect(row.token.ip == "10.0.0.1")
        #expect(row.token.expire == Self.now.adding(seconds: 172_800))
        #expect(row.token.accessToken == token.accessToken)
        let claims = try JSONWebToken.verify(token.accessToken, key: Self.key, now: Self.now.seconds + 1)
        #expect(claims.keys == ["iss", "sub", "iat", "exp", "name", "preferred_username", "aud", "email", "jti"])
        #expect(claims["aud"] == .string("5347307d-d801-4075-9aaa-a21a29a448c5"))
        #expect(claims["sub"] == .string("2a11f995-1306-5494-aaa5-51c74d882e07"))
        #expect(row.audit.content(tokenID: 7).contains("\"tokenId\":7"))
        #expect(!row.audit.content(tokenID: 7).contains(token.accessToken))
    }

    @Test func bodyCredentialsWork() throws {
        let token = try grant.handle(request(["grant_type": "client_credentials", "scope": "authorization",
                                              "client_id": "5347307d-d801-4075-9aaa-a21a29a448c5", "client_secret": "s3cret"]))
        #expect(token.scope == "authorization")
    }

    @Test func conflictingHeaderAndBodyCredentialsAreRefused() {
        #expect(throws: OAuthError.conflictingCredentials) {
            try grant.handle(request(["grant_type": "client_credentials", "client_id": "other", "client_secret": "x"],
                                     basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret")))
        }
    }

    @Test func wrongSecretOrCaseDifferentSecretIsInvalidClient() {
        for secret in ["wrong", "S3CRET", "s3cret "] {
            #expect(throws: OAuthError.unknownCredentials) {
                try grant.handle(request(["grant_type": "client_credentials"],
                                         basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", secret)))
            }
        }
        #expect(OAuthError.unknownCredentials.httpStatus == 401)
        #expect(OAuthError.unknownCredentials.wwwAuthenticate == "Basic realm=\"Fusio\"")
    }

    @Test func inactiveAppIsInvalidClient() {
        store.clients[0].app.status = 3
        #expect(throws: OAuthError.unknownCredentials) {
            try grant.handle(request(["grant_type": "client_credentials"], basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret")))
        }
    }

    @Test func userCredentialsFallBackToAUserTokenWithoutApp() throws {
        let token = try grant.handle(request(["grant_type": "client_credentials"], basic: ("Consumer", "qf2vX10Ec3wFZHx0K1eL")))
        #expect(token.scope == "consumer,consumer.account,consumer.app,authorization,openid")
        #expect(token.idToken == token.accessToken)
        let row = try #require(store.inserted.first)
        #expect(row.token.appID == nil)
        #expect(row.audit.appID == 0)
        let claims = try JSONWebToken.verify(token.accessToken, key: Self.key, now: Self.now.seconds + 1)
        #expect(claims["aud"] == nil)
        let byEmail = try grant.handle(request(["grant_type": "client_credentials", "scope": "openid"],
                                               basic: ("consumer@localhost.com", "qf2vX10Ec3wFZHx0K1eL")))
        #expect(byEmail.scope == "openid")
    }

    @Test func unknownScopeIsInvalidScope() {
        #expect(throws: OAuthError.noValidScope) {
            try grant.handle(request(["grant_type": "client_credentials", "scope": "backend"],
                                     basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret")))
        }
    }

    @Test func missingCredentialsIsInvalidRequest() {
        #expect(throws: OAuthError.credentialsNotAvailable) {
            try grant.handle(request(["grant_type": "client_credentials"]))
        }
    }

    @Test func storageOutageIsTemporarilyUnavailable() {
        store.failing = true
        do {
            _ = try grant.handle(request(["grant_type": "client_credentials"], basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret")))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "temporarily_unavailable")
            #expect(error.httpStatus == 503)
        }
    }

    @Test func disabledOwnerIsInvalidGrant() {
        store.clients[0].owner?.status = 2
        #expect(throws: OAuthError.invalidUserStatus) {
            try grant.handle(request(["grant_type": "client_credentials"], basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret")))
        }
    }

    @Test func missingUserAgentGivesNameNA() throws {
        _ = try grant.handle(request(["grant_type": "client_credentials"], basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret"),
                                     userAgent: nil))
        #expect(store.inserted.first?.token.name == "n/a")
    }

    @Test func longUserAgentIsCutAt250Characters() throws {
        let agent = String(repeating: "é", count: 300)
        _ = try grant.handle(request(["grant_type": "client_credentials"], basic: ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret"),
                                     userAgent: agent))
        #expect(store.inserted.first?.token.name == String(repeating: "é", count: 250))
    }

    @Test func twoTokensInTheSameSecondDiffer() throws {
        let basic = ("5347307d-d801-4075-9aaa-a21a29a448c5", "s3cret")
        let first = try grant.handle(request(["grant_type": "client_credentials"], basic: basic))
        let second = try grant.handle(request(["grant_type": "client_credentials"], basic: basic))
        #expect(first.accessToken != second.accessToken)
        #expect(first.refreshToken != second.refreshToken)
    }
}
