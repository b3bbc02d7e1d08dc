import FusioAuth
import Testing

/// The refresher's decisions around the store's single-use rotation (the rotation itself, with its locks, is
/// covered against MariaDB by the integration tests).
@Suite struct TokenRefresherTests {
    static let now = UnixTime(seconds: 1_700_000_000)

    let store = InMemoryStore()
    let revocations = FamilyRevocations()
    let refresher: TokenRefresher

    init() throws {
        let settings = try TestSettings.minimal()
        let owner = FusioUser(id: 2, status: 1, name: "Consumer", email: "consumer@localhost.com", identityID: nil,
                              passwordHash: nil)
        store.users = [owner]
        store.clients = [ClientApp(
            app: FusioApp(id: 3, userID: 2, status: 1, name: "app", url: "https://example.com", key: "k", secret: "s"),
            owner: owner, appScopes: AvailableScopes(direct: []), ownerScopes: AvailableScopes(direct: []))]
        // Issued a day ago: inside the default P3D refresh window.
        store.storedTokens["live"] = StoredToken(id: 7, appID: 3, userID: 2, status: 1, scope: "authorization,consumer",
                                                 date: Self.now.adding(seconds: -86_400))
        let clock = FixedClock(time: Self.now)
        refresher = TokenRefresher(tokens: store, apps: store, users: store,
                                   issuer: TokenIssuer(settings: settings, tokens: store, clock: clock),
                                   refreshLifetime: settings.refreshLifetime, clock: clock, revocations: revocations)
    }

    func refresh(_ token: String) throws(OAuthError) -> IssuedToken {
        try refresher.refresh(token, category: TokenCategory.authorization, name: "ua", ip: "10.0.0.1") { _ throws(OAuthError) in }
    }

    @Test func rotatesTheStoredRowIntoANewTokenWithTheSameScopes() throws {
        let token = try refresh("live")
        #expect(token.scope == "authorization,consumer")
        let rotation = try #require(store.rotated.first)
        #expect(rotation.tokenID == 7)
        #expect(rotation.token.response.accessToken == token.accessToken)
        #expect(rotation.token.row.appID == 3 && rotation.token.row.userID == 2)
    }

    @Test func aLostRaceIsAnInvalidRefreshTokenAndRevokesTheFamilyAfterTheRotation() {
        store.rotation = .reused
        #expect(throws: OAuthError.invalidRefreshToken) { try refresh("live") }
        #expect(store.revokedFamilies == [7])
    }

    @Test func aDeactivationCommittedBeforeTheRotationRefuses() {
        store.rotation = .principalInactive
        #expect(throws: OAuthError.inactivePrincipal) { try refresh("live") }
    }

    @Test func aRetiredRowRevokesItsFamilyWithoutRotating() {
        store.storedTokens["live"]?.status = 2
        #expect(throws: OAuthError.invalidRefreshToken) { try refresh("live") }
        #expect(store.revokedFamilies == [7])
        #expect(store.rotated.isEmpty)
    }

    @Test func aReplayWhileItsFamilyIsBeingRevokedLeavesItToThatRevocation() throws {
        store.storedTokens["live"]?.status = 2
        // another thread of the process is revoking user 2's tokens of app 3 while this replay arrives
        var passes = 0
        try revocations.revoke(.init(userID: 2, appID: 3)) { () throws(OAuthError) in
            passes += 1
            if passes == 1 { #expect(throws: OAuthError.invalidRefreshToken) { try refresh("live") } }
        }
        #expect(store.revokedFamilies.isEmpty, "the replay did not scan the family itself")
        #expect(passes == 2, "the running revocation went once more for it")
        #expect(throws: OAuthError.invalidRefreshToken) { try refresh("live") }
        #expect(store.revokedFamilies == [7], "once that revocation ended, a replay revokes again")
    }

    @Test func anUnknownTokenChangesNothing() {
        #expect(throws: OAuthError.invalidRefreshToken) { try refresh("unknown") }
        #expect(store.revokedFamilies.isEmpty && store.rotated.isEmpty)
    }

    @Test func outsideTheRefreshWindowIsExpired() {
        store.storedTokens["live"]?.date = Self.now.adding(seconds: -4 * 86_400)
        #expect(throws: OAuthError.refreshTokenExpired) { try refresh("live") }
        #expect(store.rotated.isEmpty)
    }
}
