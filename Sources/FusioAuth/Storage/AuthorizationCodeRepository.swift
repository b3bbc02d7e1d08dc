public protocol AuthorizationCodeRepository {
    /// The code of an app of the configured tenant, with its PKCE challenge if any.
    func findCode(_ code: String) throws(StorageError) -> AuthorizationCode?
    /// In one transaction: lock the code row, and if it is still unconsumed and the token's user and app are still
    /// active, mark it consumed and store the token. When another request consumed it first, nothing is stored
    /// (`.reused`: the caller revokes the user's tokens of the app, RFC 6749 §4.1.2).
    func exchange(codeID: Int, for token: PreparedToken) throws(StorageError) -> SingleUseExchange
    /// Reuse of a consumed code: with the code row locked (as `exchange` locks it), revoke the user's active tokens
    /// of the code's app, so replays cannot deadlock with the winning exchange. When another transaction holds the
    /// row, it is already revoking them for this code: return at once (as `TokenRepository.revokeFamily`).
    func revokeTokens(ofReusedCode code: AuthorizationCode) throws(StorageError)
}
