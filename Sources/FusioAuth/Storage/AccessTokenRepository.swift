public protocol AccessTokenRepository {
    /// The active (status 1), unexpired row of the configured tenant whose token equals `token` under the column
    /// collation, as PHP looks it up; the caller compares the exact string.
    func findActiveToken(_ token: String, now: UnixTime) throws(StorageError) -> ActiveToken?
    /// The operation by name if it is active in the tenant (an administrator can switch it off in the backend).
    func operation(named name: String) throws(StorageError) -> OperationAccess?
    /// The names `root.*` of active scopes of the tenant that a root scope (a name without '.') implies.
    func subScopes(of root: String) throws(StorageError) -> [String]
    /// Sets the token to status 2 and writes the `token.remove` audit row; false when it was not active.
    func revoke(tokenID: Int, audit: RevocationAudit) throws(StorageError) -> Bool
    /// An active row whose access or refresh token is `value` (RFC 7009 accepts either).
    func findActiveByAccessOrRefresh(_ value: String) throws(StorageError) -> (id: Int, appID: Int?, userID: Int)?
}

/// The `fusio_audit` row of a revocation (§4.7): user, app and IP of the caller.
public struct RevocationAudit: Sendable {
    public var appID: Int
    public var userID: Int
    public var ip: String
    public var now: UnixTime

    public init(appID: Int?, userID: Int, ip: String, now: UnixTime) {
        self.appID = appID ?? 0
        self.userID = userID
        self.ip = ip
        self.now = now
    }
}
