import FusioAuth
import FusioCrypto
import Testing

@Suite struct BearerValidatorTests {
    final class Tokens: AccessTokenRepository {
        var rows: [ActiveToken] = []
        var subs: [String: [String]] = [:]
        func findActiveToken(_ token: String, now: UnixTime) throws(StorageError) -> ActiveToken? {
            rows.first { $0.token.lowercased() == token.lowercased() }   // the collation ignores case
        }
        func operation(named name: String) throws(StorageError) -> OperationAccess? { nil }
        func subScopes(of root: String) throws(StorageError) -> [String] { subs[root] ?? [] }
        func revoke(tokenID: Int, audit: RevocationAudit) throws(StorageError) -> Bool { false }
        func findActiveByAccessOrRefresh(_ value: String) throws(StorageError) -> (id: Int, appID: Int?, userID: Int)? { nil }
    }

    static let key = Array("42eec18ffdbffc9fda6110dcc705d6ce".utf8)
    static let now = UnixTime(seconds: 1_700_000_100)
    let tokens = Tokens()
    let validator: BearerValidator
    let jwt: String

    init() {
        validator = BearerValidator(tokens: tokens, projectKey: Self.key, clock: FixedClockForBearer(time: Self.now))
        jwt = JSONWebToken.sign(payload: AccessTokenClaims(issuer: "http://127.0.0.1", subject: "s", issuedAt: 1_700_000_000,
                                                           expiresAt: 1_700_172_800, name: "n").payload, key: Self.key)
        tokens.rows = [row(jwt), row("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    }

    func row(_ token: String, userStatus: Int = 1, appStatus: Int? = nil) -> ActiveToken {
        ActiveToken(id: 1, appID: appStatus == nil ? nil : 3, userID: 2, scope: "authorization,consumer", token: token,
                    userStatus: userStatus, appStatus: appStatus, appKey: nil, userName: "n")
    }

    @Test func acceptsOurJWTAndLegacyOpaqueTokens() throws {
        #expect(try validator.validate(authorization: "Bearer \(jwt)").id == 1)
        #expect(try validator.validate(authorization: "Bearer 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").userID == 2)
    }

    @Test func headerProblems() {
        #expect(throws: BearerError.missingHeader) { try validator.validate(authorization: nil) }
        #expect(throws: BearerError.invalidType) { try validator.validate(authorization: "Basic abc") }
        #expect(throws: BearerError.invalidType) { try validator.validate(authorization: "bearer \(jwt)") }
        #expect(throws: BearerError.missingToken) { try validator.validate(authorization: "Bearer ") }
    }

    @Test(arguments: ["x.y.z", "a.b", "....", String(repeating: "a", count: 600)])
    func malformedTokensAreInvalid(_ token: String) {
        #expect(throws: BearerError.invalidToken) { try validator.validate(token: token) }
    }

    @Test func forgedAlgNoneAndCaseChangedTokensAreInvalid() {
        let parts = jwt.split(separator: ".")
        let noneHeader = Base64URL.encode(Array(#"{"typ":"JWT","alg":"none"}"#.utf8))
        #expect(throws: BearerError.invalidToken) { try validator.validate(token: "\(noneHeader).\(parts[1]).") }
        let forged = JSONWebToken.sign(payload: ["sub": .string("s")], key: Array("another-key-another-key-another-k".utf8))
        tokens.rows.append(row(forged))
        #expect(throws: BearerError.invalidToken) { try validator.validate(token: forged) }
        // found by the case-insensitive lookup, refused by the exact comparison
        let opaque = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
        #expect(throws: BearerError.invalidToken) { try validator.validate(token: opaque) }
    }

    @Test func inactiveUserOrAppIsInvalid() {
        tokens.rows = [row(jwt, userStatus: 2)]
        #expect(throws: BearerError.invalidToken) { try validator.validate(token: jwt) }
        tokens.rows = [row(jwt, appStatus: 3)]
        #expect(throws: BearerError.invalidToken) { try validator.validate(token: jwt) }
    }

    @Test func scopeCheckExpandsRootScopes() throws {
        let token = row(jwt)
        try validator.authorize(token, for: OperationAccess(id: 1, allowedScopes: ["authorization"]))
        tokens.subs["consumer"] = ["consumer.account", "consumer.app"]
        try validator.authorize(token, for: OperationAccess(id: 2, allowedScopes: ["consumer.account"]))
        #expect(throws: BearerError.notInScope) {
            try validator.authorize(token, for: OperationAccess(id: 3, allowedScopes: ["backend.account"]))
        }
        #expect(throws: BearerError.notInScope) { try validator.authorize(token, for: OperationAccess(id: 4, allowedScopes: [])) }
    }
}

struct FixedClockForBearer: Clock {
    var time: UnixTime
    func now() -> UnixTime { time }
}
