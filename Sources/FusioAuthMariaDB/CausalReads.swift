/// The SQL of the reads that must see a write the client already holds the result of — a token or code issued
/// through another node of a Galera cluster a millisecond ago — and of the locking reads of single-use
/// credentials. In a cluster they wait until this node has applied every write set the cluster committed
/// before the read (`wsrep_sync_wait = 1`, per statement, so no other read pays for it); on one server they are
/// the plain statements, at the same cost as before.
///
/// Which reads: the refresh-token lookup, the bearer lookup (whoami, Fusio operations, introspect), revoke's
/// lookup, the authorization-code lookup, the row locks of a rotation or exchange (a retry after a
/// certification failure then sees the winner's write instead of failing certification again), the token check
/// after a COMMIT whose answer was lost, and the login-throttling counters (failures through other nodes count
/// at once; next to a bcrypt check the wait costs nothing). Not the app and user lookups of client_credentials:
/// a secret created a moment ago through another node may take a replication round to arrive, as in PHP Fusio.
struct CausalReads {
    let tokenByRefresh: String
    let lockToken: String
    let lockTokenUnlessLocked: String
    let activeToken: String
    let accessOrRefresh: String
    let code: String
    let lockCode: String
    let lockCodeUnlessLocked: String
    let refreshStored: String
    let loginFailures: String
    let knownSource: String

    /// `SET STATEMENT … FOR` can be prepared and keeps the wait to this one statement.
    static let prefix = "SET STATEMENT wsrep_sync_wait = 1 FOR "

    init(waitForCluster: Bool) {
        func sql(_ statement: String) -> String { waitForCluster ? Self.prefix + statement : statement }
        tokenByRefresh = sql(FusioStore.tokenByRefreshSQL)
        lockToken = sql(FusioStore.lockTokenSQL)
        lockTokenUnlessLocked = sql(FusioStore.lockTokenUnlessLockedSQL)
        activeToken = sql(FusioStore.activeTokenSQL)
        accessOrRefresh = sql(FusioStore.accessOrRefreshSQL)
        code = sql(FusioStore.codeSQL)
        lockCode = sql(FusioStore.lockCodeSQL)
        lockCodeUnlessLocked = sql(FusioStore.lockCodeUnlessLockedSQL)
        refreshStored = sql(FusioStore.refreshStoredSQL)
        loginFailures = sql(FusioStore.loginFailuresSQL)
        knownSource = sql(FusioStore.knownSourceSQL)
    }
}
