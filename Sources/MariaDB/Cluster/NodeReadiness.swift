/// Whether a node that accepted a connection may serve requests, judged from what it says about itself
/// (`@@wsrep_on`, `wsrep_ready`, `wsrep_local_state_comment`; nil when the server has no such value).
///
/// A Galera node that is joining, donating a snapshot, or cut off from the primary component accepts
/// connections but is not `Synced`: it may serve stale rows or refuse statements with error 1047, so a
/// connection skips it. A server without Galera (`wsrep_on` OFF) has no cluster to wait for and is ready.
public struct NodeReadiness: Sendable, Equatable {
    public var wsrepOn: String?
    public var wsrepReady: String?
    public var localState: String?

    public init(wsrepOn: String?, wsrepReady: String?, localState: String?) {
        self.wsrepOn = wsrepOn
        self.wsrepReady = wsrepReady
        self.localState = localState
    }

    /// One round trip, when a connection opens (never per request). Columns: wsrep_on, wsrep_ready,
    /// wsrep_local_state_comment. information_schema stays readable on a node that is not ready, where most
    /// other statements fail with 1047.
    public static let probeSQL = """
        SELECT @@global.wsrep_on,
               (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY'),
               (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
                 WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT')
        """

    public var isReady: Bool {
        guard Self.isOn(wsrepOn) else { return true }
        return Self.isOn(wsrepReady) && localState == "Synced"
    }

    private static func isOn(_ value: String?) -> Bool {
        guard let value else { return false }
        return value == "1" || value.uppercased() == "ON"
    }
}
