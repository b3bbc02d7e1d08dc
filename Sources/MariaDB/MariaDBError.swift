import CMariaDB

/// An error reported by libmariadb or the server.
///
/// `description` is safe to log: it carries only the numeric code and SQLSTATE. `serverMessage` is the
/// library's text, which for errors such as a duplicate key quotes the offending value (a client id, a
/// token …): keep it out of logs and responses.
public struct MariaDBError: Error, CustomStringConvertible, Sendable {
    /// mysql_errno / mysql_stmt_errno: 1000–1999 (and 3000+) come from the server, 2000–2999 and 5000+
    /// from the client library.
    public let code: UInt32
    public let sqlState: String
    /// May contain data values: NEVER log it, NEVER put it into `description`.
    public let serverMessage: String
    /// Set for anything that went wrong while establishing a connection (including e.g. "access denied"
    /// or "too many connections"): for the caller all of these mean "the database is not reachable".
    let duringConnect: Bool

    public init(code: UInt32, sqlState: String, serverMessage: String) {
        self.init(code: code, sqlState: sqlState, serverMessage: serverMessage, duringConnect: false)
    }

    init(code: UInt32, sqlState: String, serverMessage: String, duringConnect: Bool) {
        self.code = code
        self.sqlState = sqlState
        self.serverMessage = serverMessage
        self.duringConnect = duringConnect
    }

    /// Could not connect, or the connection died (server gone, killed, shut down, network timeout).
    /// The connection that reported it has already been dropped; the next call reconnects.
    public var isConnectionFailure: Bool {
        duringConnect || Self.connectionFailureCodes.contains(code)
    }

    /// Nothing reached the server: opening the connection failed (on every node, with a node list). A caller
    /// that would check whether a write happened need not ask.
    public var failedBeforeSending: Bool {
        duringConnect
    }

    /// A UNIQUE or PRIMARY KEY constraint rejected the row.
    public var isDuplicateKey: Bool {
        code == UInt32(ER_DUP_ENTRY) || code == UInt32(ER_DUP_ENTRY_WITH_KEY_NAME) || code == UInt32(ER_DUP_KEY)
    }

    /// InnoDB deadlock (the whole transaction was rolled back) or lock wait timeout (only the statement
    /// was rolled back, with the server default innodb_rollback_on_timeout=OFF).
    public var isDeadlockOrLockTimeout: Bool {
        code == UInt32(ER_LOCK_DEADLOCK) || code == UInt32(ER_LOCK_WAIT_TIMEOUT)
    }

    public var description: String {
        "MariaDB error \(code) (\(sqlState))"
    }

    // MARK: - Internal classification

    /// InnoDB deadlock, or a Galera certification failure: the whole transaction was rolled back.
    public var isDeadlock: Bool {
        code == UInt32(ER_LOCK_DEADLOCK)
    }

    /// The connection can no longer be trusted and must be closed: either it is gone, or the client
    /// library lost track of the protocol state.
    var requiresReconnect: Bool {
        isConnectionFailure
            || code == UInt32(CR_COMMANDS_OUT_OF_SYNC)
            || code == UInt32(CR_MALFORMED_PACKET)
            || code == UInt32(CR_STMT_CLOSED)
    }

    /// The server changed a table under a cached statement (ALTER TABLE while running): preparing
    /// the same SQL again fixes it, and the statement did not run.
    var statementNeedsReprepare: Bool {
        code == UInt32(ER_NEED_REPREPARE) || code == UInt32(CR_NEW_STMT_METADATA)
    }

    private static let connectionFailureCodes: Set<UInt32> = [
        // Client side (errmsg.h)
        UInt32(CR_SOCKET_CREATE_ERROR),   // 2001
        UInt32(CR_CONNECTION_ERROR),      // 2002 can't connect through the socket
        UInt32(CR_CONN_HOST_ERROR),       // 2003 can't connect to host
        UInt32(CR_IPSOCK_ERROR),          // 2004
        UInt32(CR_UNKNOWN_HOST),          // 2005
        UInt32(CR_SERVER_GONE_ERROR),     // 2006 gone between queries (e.g. after a server restart)
        UInt32(CR_SERVER_HANDSHAKE_ERR),  // 2012
        UInt32(CR_SERVER_LOST),           // 2013 lost during a query, also read/write timeouts
        UInt32(CR_SSL_CONNECTION_ERROR),  // 2026
        UInt32(CR_SERVER_LOST_EXTENDED),  // 2055
        UInt32(CR_ERR_NET_READ),          // 5013
        UInt32(CR_ERR_NET_WRITE),         // 5014
        // Server side (mysqld_error.h)
        UInt32(ER_CON_COUNT_ERROR),         // 1040 too many connections
        UInt32(ER_SERVER_SHUTDOWN),         // 1053
        UInt32(ER_NORMAL_SHUTDOWN),         // 1077
        UInt32(ER_SHUTDOWN_COMPLETE),       // 1079
        UInt32(ER_HOST_IS_BLOCKED),         // 1129
        UInt32(ER_HOST_NOT_PRIVILEGED),     // 1130
        UInt32(ER_ABORTING_CONNECTION),     // 1152
        UInt32(ER_NET_READ_ERROR),          // 1158
        UInt32(ER_NET_READ_INTERRUPTED),    // 1159
        UInt32(ER_NET_ERROR_ON_WRITE),      // 1160
        UInt32(ER_NET_WRITE_INTERRUPTED),   // 1161
        UInt32(ER_NEW_ABORTING_CONNECTION), // 1184
        UInt32(ER_CONNECTION_KILLED),       // 1927 KILL <connection id>
        // A Galera node that is not ready (joining, donor, or cut off from the primary component) refuses
        // statements with 1047 "WSREP has not yet prepared node for application use": as good as gone for
        // this connection, which moves to another node.
        UInt32(ER_UNKNOWN_COM_ERROR),       // 1047
    ]
}

extension MariaDBError {
    /// The last error of a connection handle.
    init(connection: UnsafeMutablePointer<MYSQL>, duringConnect: Bool = false) {
        self.init(
            code: Self.nonZero(mysql_errno(connection)),
            sqlState: Self.string(mysql_sqlstate(connection)),
            serverMessage: Self.string(mysql_error(connection)),
            duringConnect: duringConnect
        )
    }

    /// The last error of a statement handle.
    init(statement: UnsafeMutablePointer<MYSQL_STMT>) {
        self.init(
            code: Self.nonZero(mysql_stmt_errno(statement)),
            sqlState: Self.string(mysql_stmt_sqlstate(statement)),
            serverMessage: Self.string(mysql_stmt_error(statement)),
            duringConnect: false
        )
    }

    /// Raised instead of silently reconnecting when the connection died inside `transaction`: a new
    /// connection would run the rest of the body outside the transaction.
    static let connectionLostInTransaction = MariaDBError(
        code: UInt32(CR_SERVER_LOST),
        sqlState: "HY000",
        serverMessage: "connection lost inside a transaction",
        duringConnect: false
    )

    /// A failed call always has an error; should libmariadb ever report 0, still say "unknown error"
    /// rather than claim success.
    private static func nonZero(_ code: UInt32) -> UInt32 {
        code == 0 ? UInt32(CR_UNKNOWN_ERROR) : code
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }
}
