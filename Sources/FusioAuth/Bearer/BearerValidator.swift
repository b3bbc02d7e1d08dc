/// Bearer tokens as Fusio checks them for its operations (§3.8), with the fixes of §8.2: any decoding failure is
/// "Invalid access token" (never a 500), only HS256 is accepted, and a token whose user or app is no longer
/// active is refused.
public final class BearerValidator {
    /// `fusio_token.token` is VARCHAR(512): anything longer cannot be a token.
    static let maximumTokenLength = 512

    private let tokens: any AccessTokenRepository
    private let projectKey: [UInt8]
    private let clock: any Clock

    public init(tokens: any AccessTokenRepository, projectKey: [UInt8], clock: any Clock) {
        self.tokens = tokens
        self.projectKey = projectKey
        self.clock = clock
    }

    public func validate(authorization header: String?) throws(BearerError) -> ActiveToken {
        guard let header, !header.isEmpty else { throw .missingHeader }
        guard let space = header.firstIndex(of: " "), header[..<space] == "Bearer" else { throw .invalidType }
        let token = String(header[header.index(after: space)...])
        guard !token.isEmpty else { throw .missingToken }
        return try validate(token: token)
    }

    /// The token alone, for RFC 7662 introspection and RFC 7009 revocation.
    public func validate(token: String) throws(BearerError) -> ActiveToken {
        guard token.utf8.count <= Self.maximumTokenLength else { throw .invalidToken }
        let now = clock.now()
        // Legacy opaque tokens (no '.') are valid by their row alone, as in Fusio.
        if token.utf8.contains(UInt8(ascii: ".")) {
            do {
                _ = try JSONWebToken.verify(token, key: projectKey, now: now.seconds)
            } catch {
                throw .invalidToken
            }
        }
        let row: ActiveToken?
        do {
            row = try tokens.findActiveToken(token, now: now)
        } catch {
            throw .unavailable(error.description)
        }
        // The SQL lookup ignores case and trailing spaces (collation); the token must match exactly.
        guard let row, row.token.utf8.elementsEqual(token.utf8), row.userStatus == FusioUser.activeStatus else {
            throw .invalidToken
        }
        if row.appID != nil, row.appStatus != FusioApp.activeStatus { throw .invalidToken }
        return row
    }

    /// Whether the token's scopes (root scopes expanded to their active sub-scopes) include one the operation
    /// allows; `alsoAllowed` adds names accepted besides the operation's own (whoami accepts `openid`).
    public func authorize(_ token: ActiveToken, for operation: OperationAccess, alsoAllowed: [String] = []) throws(BearerError) {
        let granted = token.scope.split(separator: ",").map(String.init)
        let allowed = Set(operation.allowedScopes + alsoAllowed)
        if granted.contains(where: allowed.contains) { return }
        for root in granted where !root.contains(".") {
            let subs: [String]
            do {
                subs = try tokens.subScopes(of: root)
            } catch {
                throw .unavailable(error.description)
            }
            if subs.contains(where: allowed.contains) { return }
        }
        throw .notInScope
    }
}
