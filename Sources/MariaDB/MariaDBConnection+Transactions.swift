import Glibc

// Transactions and their retries: a lost connection before COMMIT, conflicts (deadlocks, Galera certification
// failures), and a COMMIT whose answer was lost. Kept apart from the connection handling they build on.
extension MariaDBConnection {
    /// START TRANSACTION; body; COMMIT (ROLLBACK if body throws, then rethrow). If the connection is lost
    /// anywhere before COMMIT was sent, reconnect (with cluster nodes: to the next one) and run the whole body
    /// once more (the server rolled back). A deadlock, or a Galera certification failure (1213, also at COMMIT:
    /// nothing was committed), is retried as `ConflictRetry` says.
    ///
    /// If the connection dies during COMMIT itself, whether the server committed is unknown. Without
    /// `committed`, that failure is thrown. With it, the connection is reopened (on the next node) and
    /// `committed` asked whether the body's writes are there (with a causal read in a cluster): if they are,
    /// the body's value is returned; if not, nothing was committed and the body runs once more.
    ///
    /// The body must use only the connection it is given, must not start another transaction, and may
    /// run twice: keep side effects outside the database until `transaction` returns. While it runs, a
    /// lost connection is not reopened: every later call in the body throws a connection failure.
    public func transaction<T>(
        _ body: (MariaDBConnection) throws -> T, committed: ((MariaDBConnection) throws -> Bool)? = nil
    ) throws -> T {
        precondition(!inTransaction, "MariaDB: transaction() cannot be nested")
        var mayRetryLostConnection = true
        var conflicts = ConflictRetry()
        while true {
            switch try attemptTransaction(body) {
            case .committed(let value):
                return value
            case .connectionLost(let error):
                guard mayRetryLostConnection else { throw error }
                mayRetryLostConnection = false
            case .commitUnknown(let value, let error):
                guard let committed, mayRetryLostConnection else { throw error }
                mayRetryLostConnection = false
                if try committed(self) { return value }
            case .deadlock(let error):
                guard conflicts.pauseBeforeRetry() else { throw error }
            }
        }
    }

    /// An autocommit INSERT/UPDATE/DELETE that a conflict rolled back (deadlock, or a certification failure in
    /// a cluster after the server's own `wsrep_retry_autocommit` attempts) runs again: it had no effect. Other
    /// failures, a lost connection included (the write may have happened), are thrown as by `execute`.
    @discardableResult
    public func executeRetryingConflicts(_ sql: String, _ parameters: [MariaDBValue] = []) throws -> MariaDBExecution {
        var conflicts = ConflictRetry()
        while true {
            do {
                return try execute(sql, parameters)
            } catch let error as MariaDBError where error.isDeadlock && !inTransaction {
                guard conflicts.pauseBeforeRetry() else { throw error }
            }
        }
    }

    // MARK: - Transactions

    private enum TransactionAttempt<T> {
        case committed(T)
        /// The connection died before COMMIT was sent: the server rolled the transaction back.
        case connectionLost(Error)
        /// The connection died during COMMIT: the body ran, the server may or may not have committed.
        case commitUnknown(T, Error)
        /// InnoDB rolled the whole transaction back to break a deadlock, or Galera's certification refused it.
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
        do {
            try runText("COMMIT")
        } catch let error as MariaDBError where error.isDeadlock {
            // A certification failure: the cluster refused the write set, the node rolled back.
            return .deadlock(error)
        } catch let error as MariaDBError where error.isConnectionFailure {
            return .commitUnknown(value, error)
        }
        return .committed(value)
    }
}
