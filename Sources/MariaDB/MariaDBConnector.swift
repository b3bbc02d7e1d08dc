import CMariaDB

/// Opens one libmariadb handle with the options every connection of this module uses, and asks a cluster node
/// whether it is ready. No state: `MariaDBConnection` decides where to connect and keeps the handle.
enum MariaDBConnector {
    /// Connects to `host`/`port`, or through `unixSocket` when given. Throws a `MariaDBError` whose
    /// `isConnectionFailure` is true; nothing stays allocated on failure.
    static func open(
        _ configuration: MariaDBConfiguration, host: String, port: UInt32, unixSocket: String?
    ) throws -> UnsafeMutablePointer<MYSQL> {
        guard let handle = mysql_init(nil) else {
            throw MariaDBError(
                code: UInt32(CR_OUT_OF_MEMORY), sqlState: "HY000",
                serverMessage: "mysql_init failed", duringConnect: true
            )
        }
        var connectTimeout = configuration.connectTimeoutSeconds
        var readTimeout = configuration.readTimeoutSeconds
        var writeTimeout = configuration.writeTimeoutSeconds
        var off: my_bool = 0
        var on: my_bool = 1
        var noLocalInfile: UInt32 = 0
        // mysql_options copies every value (strings included) before returning.
        _ = mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        _ = mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        _ = mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &writeTimeout)
        // We reconnect ourselves, where we know whether a retry is safe.
        _ = mysql_options(handle, MYSQL_OPT_RECONNECT, &off)
        // Never let the server read client files (LOAD DATA LOCAL).
        _ = mysql_options(handle, MYSQL_OPT_LOCAL_INFILE, &noLocalInfile)
        // Make mysql_stmt_fetch report truncated columns (ResultBindings checks lengths anyway).
        _ = mysql_options(handle, MYSQL_REPORT_DATA_TRUNCATION, &on)
        _ = mysql_options(handle, MYSQL_SET_CHARSET_NAME, configuration.charset)
        if let command = configuration.sessionInitCommand {
            _ = mysql_options(handle, MYSQL_INIT_COMMAND, command)
        }

        // With a socket path, pass no host: libmariadb then always uses the socket (a host other than
        // "localhost" would make it use TCP and ignore the socket).
        let database: String? = configuration.database.isEmpty ? nil : configuration.database
        let connected = mysql_real_connect(
            handle, unixSocket == nil ? host : nil, configuration.user, configuration.password, database,
            port, unixSocket, 0
        )
        if connected == nil {
            let error = MariaDBError(connection: handle, duringConnect: true)
            mysql_close(handle)
            DatabaseMetrics.connectErrors.increment()
            throw error
        }
        return handle
    }

    /// What the node says about its cluster state (`NodeReadiness.probeSQL`). Throws a connect-time error when
    /// the probe fails: the node is not usable either way.
    static func readiness(of handle: UnsafeMutablePointer<MYSQL>) throws -> NodeReadiness {
        let sql = NodeReadiness.probeSQL
        let length = UInt(sql.utf8.count)
        if sql.withCString({ mysql_real_query(handle, $0, length) }) != 0 {
            // A server built without Galera (MySQL) has no wsrep_on: a standalone server, nothing to wait for.
            if mysql_errno(handle) == UInt32(ER_UNKNOWN_SYSTEM_VARIABLE) {
                return NodeReadiness(wsrepOn: nil, wsrepReady: nil, localState: nil)
            }
            throw MariaDBError(connection: handle, duringConnect: true)
        }
        guard let result = mysql_store_result(handle) else {
            throw MariaDBError(connection: handle, duringConnect: true)
        }
        defer { mysql_free_result(result) }
        guard mysql_num_fields(result) >= 3, let row = mysql_fetch_row(result) else {
            throw notReady
        }
        func column(_ index: Int) -> String? {
            row[index].map { String(cString: $0) }
        }
        return NodeReadiness(wsrepOn: column(0), wsrepReady: column(1), localState: column(2))
    }

    /// Reported when every node refused and the last one answered but was not ready: the code Galera uses for
    /// statements on such a node (1047, "WSREP has not yet prepared node for application use").
    static let notReady = MariaDBError(
        code: UInt32(ER_UNKNOWN_COM_ERROR), sqlState: "08S01",
        serverMessage: "cluster node not ready (wsrep_ready OFF or not Synced)", duringConnect: true
    )
}
