import Glibc
import CMariaDB

/// One MariaDB connection with its own cache of prepared statements.
///
/// Threading: not thread-safe and not Sendable. Create one per thread and use it only on that thread;
/// call `initializeLibrary()` once per process before starting threads, and `initializeThread()` /
/// `deinitializeThread()` at the start and end of every thread that uses a connection.
///
/// Connection handling: the connection is opened lazily and reopened by this class (libmariadb's
/// auto-reconnect stays off, it would silently lose transactions and prepared statements). Any error
/// that means the connection is dead closes it at once; the next call reconnects. Reads (`query`,
/// `ping`) outside a transaction are retried once on a fresh connection; writes are not, except as part
/// of a whole `transaction` body.
public final class MariaDBConnection {
    /// Upper bound on cached statements per connection; the server's max_prepared_stmt_count is global
    /// (16382 by default), so dynamically built SQL must not grow the cache without limit.
    private static let statementCacheLimit = 256

    private let configuration: MariaDBConfiguration
    private var mysql: UnsafeMutablePointer<MYSQL>?
    private var statements: [String: PreparedStatement] = [:]
    /// True while a `transaction` body or its COMMIT runs. Then a dead connection is not reopened:
    /// the rest of the body would run outside the transaction.
    private var inTransaction = false
    /// Whether a connection was opened before: the next one is a reconnect.
    private var hasConnected = false

    // MARK: - Library and thread setup

    /// Once per process, before any thread uses the library (`mysql_library_init` is a C macro Swift
    /// cannot see; this is the function behind it). mysql_init would do it lazily, but not thread-safely.
    public static func initializeLibrary() {
        let status = mysql_server_init(0, nil, nil)
        precondition(status == 0, "MariaDB: mysql_server_init failed")
    }

    /// At the start of every thread that uses a connection.
    public static func initializeThread() {
        _ = mysql_thread_init()
    }

    /// At the end of every thread that called `initializeThread()`, after its connections are closed.
    public static func deinitializeThread() {
        mysql_thread_end()
    }

    // MARK: - Lifecycle

    /// Does not connect: the first call that needs the server does.
    public init(configuration: MariaDBConfiguration) {
        self.configuration = configuration
    }

    deinit {
        disconnect()
    }

    /// True from a successful connect until `close()` or a connection failure. It does not probe the
    /// server: a connection the server dropped while idle is still "connected" until its next use.
    public var isConnected: Bool {
        mysql != nil
    }

    /// Opens a new connection now, closing the current one (and its statements) if there is one.
    /// Throws a `MariaDBError` whose `isConnectionFailure` is true.
    public func connect() throws {
        precondition(!inTransaction, "MariaDB: connect() must not be called inside transaction()")
        disconnect()
        mysql = try openConnection()
    }

    /// Closes the connection and frees its statements. The object stays usable: the next call
    /// connects again.
    public func close() {
        disconnect()
    }

    // MARK: - Statements

    /// SELECT through a cached prepared statement. Rows fully fetched. Outside a transaction a connection
    /// failure is retried once after reconnecting (reads are idempotent).
    public func query(_ sql: String, _ parameters: [MariaDBValue] = []) throws -> [MariaDBRow] {
        try retryingReadOnce {
            try runPrepared(sql, parameters) { statement in
                try statement.fetchAllRows()
            }
        }
    }

    /// INSERT/UPDATE/DELETE through a cached prepared statement; never retried by itself.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [MariaDBValue] = []) throws -> MariaDBExecution {
        try runPrepared(sql, parameters) { statement in
            let execution = MariaDBExecution(
                affectedRows: statement.affectedRows,
                lastInsertID: statement.lastInsertID
            )
            statement.discardResult()
            return execution
        }
    }

    /// START TRANSACTION; body; COMMIT (ROLLBACK if body throws, then rethrow). If the connection is lost
    /// anywhere before COMMIT was sent, reconnect and run the whole body once more (the server rolled
    /// back). A failure during COMMIT itself is not retried. Deadlock (1213) is retried up to eight times.
    ///
    /// The body must use only the connection it is given, must not start another transaction, and may
    /// run twice: keep side effects outside the database until `transaction` returns. While it runs, a
    /// lost connection is not reopened: every later call in the body throws a connection failure.
    public func transaction<T>(_ body: (MariaDBConnection) throws -> T) throws -> T {
        precondition(!inTransaction, "MariaDB: transaction() cannot be nested")
        var mayRetryLostConnection = true
        // InnoDB picks a victim and rolls it back; under a burst on one row (concurrent refreshes of one token,
        // or replays of several tokens of one family revoking it at once) the same pair can meet again, so several
        // attempts, each after a random pause that grows, which pulls the contenders apart.
        let maximumDeadlockRetries = 8
        var deadlockRetries = maximumDeadlockRetries
        while true {
            switch try attemptTransaction(body) {
            case .committed(let value):
                return value
            case .connectionLost(let error):
                guard mayRetryLostConnection else { throw error }
                mayRetryLostConnection = false
            case .deadlock(let error):
                guard deadlockRetries > 0 else { throw error }
                deadlockRetries -= 1
                let attempt = UInt32(maximumDeadlockRetries - deadlockRetries)
                usleep(UInt32.random(in: 500...2_000) * attempt)
            }
        }
    }

    /// Cheap liveness check used by GET /health: reconnects if needed, runs "SELECT 1".
    public func ping() throws {
        try retryingReadOnce {
            try runText("SELECT 1")
        }
    }

    /// One statement over the text protocol, sent as it is (no splitting): for `migrate`'s
    /// `CREATE PROCEDURE`, whose body holds semicolons. Not for request paths.
    public func executeStatement(_ sql: String) throws {
        try runText(sql)
    }

    /// Text-protocol multi-statement script for `migrate` (split on top-level `;`, respecting '…', "…",
    /// `…` quotes and -- / # / /* */ comments; empty statements skipped). Not for request paths.
    /// Stops at the first failing statement; earlier ones stay applied (DDL commits implicitly).
    public func executeScript(_ sql: String) throws {
        for statement in SQLScriptSplitter.statements(in: sql) {
            try runText(statement)
        }
    }

    // MARK: - Connection management

    private func openConnection() throws -> UnsafeMutablePointer<MYSQL> {
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
        let host: String? = configuration.unixSocket == nil ? configuration.host : nil
        let database: String? = configuration.database.isEmpty ? nil : configuration.database
        let connected = mysql_real_connect(
            handle, host, configuration.user, configuration.password, database,
            configuration.port, configuration.unixSocket, 0
        )
        if connected == nil {
            let error = MariaDBError(connection: handle, duringConnect: true)
            mysql_close(handle)
            DatabaseMetrics.connectErrors.increment()
            throw error
        }
        if hasConnected { DatabaseMetrics.reconnects.increment() }
        hasConnected = true
        return handle
    }

    /// Closes the handle, then frees the cached statements. In that order, mysql_close detaches the
    /// statements from the handle, so freeing them sends nothing over a possibly dead socket.
    private func disconnect() {
        if let handle = mysql {
            mysql = nil
            mysql_close(handle)
        }
        for statement in statements.values {
            statement.close()
        }
        statements.removeAll()
    }

    private func ensureConnected() throws -> UnsafeMutablePointer<MYSQL> {
        if let handle = mysql {
            return handle
        }
        if inTransaction {
            throw MariaDBError.connectionLostInTransaction
        }
        let handle = try openConnection()
        mysql = handle
        return handle
    }

    /// Drops the connection if `error` means it is unusable; returns the error for throwing.
    private func handleFailure(_ error: Error) -> Error {
        DatabaseMetrics.count(error)
        if let error = error as? MariaDBError, error.requiresReconnect {
            disconnect()
        }
        return error
    }

    /// Runs a read; if it failed because an already open connection turned out to be dead (closed by
    /// the failure), runs it once more on a new connection. Not when the failure was opening the
    /// connection (retrying at once would only double the wait), and never inside a transaction.
    private func retryingReadOnce<R>(_ operation: () throws -> R) throws -> R {
        guard !inTransaction, mysql != nil else {
            return try operation()
        }
        do {
            return try operation()
        } catch let error as MariaDBError where error.isConnectionFailure && mysql == nil {
            return try operation()
        }
    }

    // MARK: - Running statements

    /// Executes `sql` through the cached statement and hands it to `consume` for reading the outcome.
    private func runPrepared<R>(
        _ sql: String, _ parameters: [MariaDBValue], _ consume: (PreparedStatement) throws -> R
    ) throws -> R {
        let handle = try ensureConnected()
        var mayReprepare = true
        while true {
            let statement: PreparedStatement
            do {
                statement = try cachedStatement(for: sql, on: handle)
            } catch {
                throw handleFailure(error)
            }
            do {
                try statement.execute(parameters)
                return try consume(statement)
            } catch let error as MariaDBError where error.statementNeedsReprepare && mayReprepare {
                // The table changed under the cached statement; it did not run. Prepare it afresh.
                mayReprepare = false
                statements[sql] = nil
                statement.close()
            } catch {
                throw handleFailure(error)
            }
        }
    }

    private func cachedStatement(for sql: String, on handle: UnsafeMutablePointer<MYSQL>) throws -> PreparedStatement {
        if let statement = statements[sql] {
            return statement
        }
        if statements.count >= Self.statementCacheLimit, let victim = statements.first {
            statements.removeValue(forKey: victim.key)
            victim.value.close()
        }
        let statement = try PreparedStatement(connection: handle, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// One statement over the text protocol; any result is read and dropped.
    private func runText(_ sql: String) throws {
        let handle = try ensureConnected()
        let length = UInt(sql.utf8.count)
        if sql.withCString({ mysql_real_query(handle, $0, length) }) != 0 {
            throw handleFailure(MariaDBError(connection: handle))
        }
        // Drain every result (a CALL can return several) so the connection is ready for the next command.
        while true {
            if mysql_field_count(handle) > 0 {
                if let result = mysql_store_result(handle) {
                    mysql_free_result(result)
                } else if mysql_errno(handle) != 0 {
                    throw handleFailure(MariaDBError(connection: handle))
                }
            }
            let next = mysql_next_result(handle)
            if next == -1 {
                return
            }
            if next > 0 {
                throw handleFailure(MariaDBError(connection: handle))
            }
        }
    }

    // MARK: - Transactions

    private enum TransactionAttempt<T> {
        case committed(T)
        /// The connection died before COMMIT was sent: the server rolled the transaction back.
        case connectionLost(Error)
        /// InnoDB rolled the whole transaction back to break a deadlock.
        case deadlock(Error)
    }

    private func attemptTransaction<T>(_ body: (MariaDBConnection) throws -> T) throws -> TransactionAttempt<T> {
        let hadOpenConnection = mysql != nil
        do {
            try runText("START TRANSACTION")
        } catch let error as MariaDBError where error.isConnectionFailure && hadOpenConnection && mysql == nil {
            // A connection that died while idle: nothing ran yet, try again on a new one.
            return .connectionLost(error)
        }

        inTransaction = true
        defer { inTransaction = false }

        let value: T
        do {
            value = try body(self)
        } catch {
            if mysql == nil {
                // Whatever the body threw, the connection died under it (perhaps the body caught the
                // connection error and threw its own).
                return .connectionLost(error)
            }
            // Best effort: if ROLLBACK fails the connection is dropped, which rolls back as well.
            try? runText("ROLLBACK")
            if let databaseError = error as? MariaDBError, databaseError.isDeadlock {
                return .deadlock(error)
            }
            throw error
        }
        if mysql == nil {
            // The body swallowed a connection failure; its earlier writes are gone with the connection.
            return .connectionLost(MariaDBError.connectionLostInTransaction)
        }
        // Not retried: if the connection dies now, whether the server committed is unknown.
        try runText("COMMIT")
        return .committed(value)
    }
}

/// One connection per thread: make accidental sharing a compile-time error.
@available(*, unavailable)
extension MariaDBConnection: Sendable {}
