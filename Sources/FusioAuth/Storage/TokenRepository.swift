public protocol TokenRepository {
    /// Inserts the `fusio_token` row and its `fusio_audit` row in one transaction, provided the user (and the app,
    /// if any) is still active at that moment; false, with nothing written, when not.
    func insert(_ token: NewToken, audit: TokenAudit) throws(StorageError) -> Bool
    /// The row of the configured tenant with this refresh token, whatever its status.
    func findByRefreshToken(_ refreshToken: String) throws(StorageError) -> StoredToken?
    /// In one transaction with the old row locked: if it is still active and the token's user and app are too,
    /// set it to status 2 and store the new token; if it is no longer active, store nothing and revoke the user's
    /// and app's active tokens.
    func rotate(tokenID: Int, to token: PreparedToken) throws(StorageError) -> SingleUseExchange
    /// Reuse of a refresh token: with that token's row locked (as `rotate` locks it), revoke the active tokens of
    /// its user and app. Every writer reacting to one presented token then queues on one row lock, so a burst of
    /// replays cannot deadlock with the winning rotation or with one another.
    func revokeFamily(ofTokenID tokenID: Int) throws(StorageError)
    /// Sets every active token of this user and app (or of the user's app-less tokens when `appID` is nil) to
    /// status 2, as Fusio's `removeAllTokensFromAppAndUser` does.
    func revokeTokens(userID: Int, appID: Int?) throws(StorageError)
}
