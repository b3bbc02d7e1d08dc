public protocol TokenRepository {
    /// Inserts the `fusio_token` row and its `fusio_audit` row in one transaction, provided the user (and the app,
    /// if any) is still active at that moment; false, with nothing written, when not.
    func insert(_ token: NewToken, audit: TokenAudit) throws(StorageError) -> Bool
    /// The row of the configured tenant with this refresh token, whatever its status.
    func findByRefreshToken(_ refreshToken: String) throws(StorageError) -> StoredToken?
    /// In one transaction with the old row locked: if it is still active and the token's user and app are too,
    /// set it to status 2 and store the new token; if it is no longer active, store nothing (`.reused`: the caller
    /// revokes the family).
    func rotate(tokenID: Int, to token: PreparedToken) throws(StorageError) -> SingleUseExchange
    /// Reuse of a refresh token: with that token's row locked (as `rotate` locks it), revoke the active tokens of
    /// its user and app, so a burst of replays cannot deadlock with a rotation or with one another. When
    /// another transaction holds that row, it is already revoking this family in reaction to the same token:
    /// return at once instead of queueing behind it (a burst of replays of one token would otherwise hold one
    /// request thread each, for as long as the revocations before it take, while the family's scan costs
    /// milliseconds to hundreds of them).
    func revokeFamily(ofTokenID tokenID: Int) throws(StorageError)
    /// Sets every active token of this user and app (or of the user's app-less tokens when `appID` is nil) to
    /// status 2, as Fusio's `removeAllTokensFromAppAndUser` does.
    func revokeTokens(userID: Int, appID: Int?) throws(StorageError)
}
