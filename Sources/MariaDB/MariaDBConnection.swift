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
///
/// Cluster nodes: with `configuration.nodes` set, every (re)connect goes through `NodeRotation`: the first node
/// at the start, the next ready one after a failure (see `openOnReadyNode`), so the retries above land on
/// another node.
public final class MariaDBConnection {
    /// Upper bound on cached statements per connection; the server's max_prepared_stmt_count is global
    /// (16382 by default), so dynamically built SQL must not grow the cache without limit.
    private static let statementCacheLimit = 256

    private let configuration: MariaDBConfiguration
    private(set) var mysql: UnsafeMutablePointer<MYSQL>?
    private var statements: [String: PreparedStatement] = [:]
    /// True while a `transaction` body or its COMMIT runs. Then a dead connection is not reopened:
    /// the rest of the body would run outside the transaction.
    var inTransaction = false
    /// Whether a connection was opened before: the next one is a reconnect.
    private var hasConnected = false
    /// Where the next connect goes when `configuration.nodes` is set.
    private var rotation: NodeRotation

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
        rotation = NodeRotation(nodeCount: max(1, configuration.nodes.count),
                                failBackMilliseconds: Int64(configuration.failBackSeconds) * 1000)
    }

    deinit {
        disconnect()
    }

    /// True from a successful connect until `close()` or a connection failure. It does not probe the
    /// server: a connection the server dropped while idle is still "connected" until its next use.
    public var isConnected: Bool {
        mysql != nil
    }

    /// The cluster node the open connection uses; nil without `configuration.nodes` or while disconnected.
    public var currentNode: MariaDBNode? {
        guard mysql != nil, !configuration.nodes.isEmpty else { return nil }
        return configuration.nodes[rotation.current]
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

    /// Cheap liveness check used by GET /health: reconnects if needed, sends COM_PING (`mysql_ping`: no statement
    /// to parse, no result set to read, unlike "SELECT 1"; reconnect stays off, so a dead connection is an error
    /// here, handled like any other). With cluster nodes it
    /// asks the node whether it is still ready instead (a node cut off from the cluster still answers SELECT 1):
    /// if not, the connection moves to the next ready node, so /health shows where requests will really run.
    public func ping() throws {
        try retryingReadOnce {
            if configuration.nodes.isEmpty {
                let handle = try ensureConnected()
                if mysql_ping(handle) != 0 { throw handleFailure(MariaDBError(connection: handle)) }
            } else {
                try requireReadyNode()
            }
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
        let handle: UnsafeMutablePointer<MYSQL>
        if configuration.nodes.isEmpty {
            handle = try MariaDBConnector.open(
                configuration, host: configuration.host, port: configuration.port, unixSocket: configuration.unixSocket)
        } else {
            handle = try openOnReadyNode()
        }
        if hasConnected { DatabaseMetrics.reconnects.increment() }
        hasConnected = true
        return handle
    }

    /// Tries the nodes in `rotation`'s order and keeps the first that accepts the connection and is ready
    /// (`NodeReadiness`). Each node is tried once: with the 1 s connect timeout of a cluster configuration and
    /// refused connections failing at once, a thread whose node died is usable again well within 2 s. Throws
    /// the last node's error when none will do.
    private func openOnReadyNode() throws -> UnsafeMutablePointer<MYSQL> {
        var lastError = MariaDBConnector.notReady
        for index in rotation.connectOrder {
            do {
                let handle = try openIfReady(configuration.nodes[index])
                if rotation.connected(to: index, now: Self.monotonicMilliseconds()) {
                    DatabaseMetrics.failovers.increment()
                }
                return handle
            } catch let error as MariaDBError {
                lastError = error
            }
        }
        rotation.currentNodeFailed()
        throw lastError
    }

    /// A connection to `node` if it accepts one and is ready; else the connect error or `notReady`.
    private func openIfReady(_ node: MariaDBNode) throws -> UnsafeMutablePointer<MYSQL> {
        let handle = try MariaDBConnector.open(configuration, host: node.host, port: node.port, unixSocket: nil)
        do {
            if try MariaDBConnector.readiness(of: handle).isReady { return handle }
        } catch {
            mysql_close(handle)
            throw error
        }
        mysql_close(handle)
        throw MariaDBConnector.notReady
    }

    /// Between requests: a thread that failed over to a later node of the list moves back to an earlier one once
    /// `failBackSeconds` have passed and that node is ready again (`NodeRotation`, "Fail-back"). Never inside a
    /// transaction, and only from a working connection, so no statement of a request runs on two nodes. A node
    /// another thread of this process is trying, or found unusable within the interval, is skipped
    /// (`FailBackProbes`). Errors are not thrown: the thread simply stays where it is.
    public func failBackIfDue() {
        guard rotation.failBackDue != nil, mysql != nil, !inTransaction else { return }
        let now = Self.monotonicMilliseconds()
        let candidates = rotation.failBackCandidates(now: now)
        guard !candidates.isEmpty else { return }
        for index in candidates {
            let node = configuration.nodes[index]
            guard FailBackProbes.shared.claim(node, now: now, for: rotation.failBackMilliseconds) else { continue }
            guard let handle = try? openIfReady(node) else { continue }
            FailBackProbes.shared.succeeded(node)
            disconnect()
            mysql = handle
            rotation.connected(to: index, now: now)
            DatabaseMetrics.failBacks.increment()
            return
        }
        rotation.failBackFailed(now: Self.monotonicMilliseconds())
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
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
            // With cluster nodes, the next connect starts at the following node.
            rotation.currentNodeFailed()
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

    /// Fails (as a lost connection, dropping it) when the current node is no longer ready.
    private func requireReadyNode() throws {
        let handle = try ensureConnected()
        let readiness: NodeReadiness
        do {
            readiness = try MariaDBConnector.readiness(of: handle)
        } catch {
            throw handleFailure(error)
        }
        guard readiness.isReady else { throw handleFailure(MariaDBConnector.notReady) }
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
    func runText(_ sql: String) throws {
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

}

/// One connection per thread: make accidental sharing a compile-time error.
@available(*, unavailable)
extension MariaDBConnection: Sendable {}
