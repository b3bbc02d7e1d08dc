import CMariaDB

/// One server-side prepared statement (MYSQL_STMT) and the memory its parameters and results are bound
/// to. Owned by `MariaDBConnection`'s statement cache; never outlives the connection handle it was
/// prepared on, and `close()` must be called exactly once.
final class PreparedStatement {
    private let handle: UnsafeMutablePointer<MYSQL_STMT>
    let parameterCount: Int
    private let parameters: ParameterBindings
    /// Created at the first result set, rebuilt if the column count changes (table altered).
    private var results: ResultBindings?

    /// Prepares `sql` on `connection`. On failure nothing is left allocated.
    init(connection: UnsafeMutablePointer<MYSQL>, sql: String) throws {
        guard let handle = mysql_stmt_init(connection) else {
            throw MariaDBError(connection: connection)
        }
        let length = UInt(sql.utf8.count)
        let status = sql.withCString { mysql_stmt_prepare(handle, $0, length) }
        if status != 0 {
            let error = MariaDBError(statement: handle)
            // A failed prepare leaves the statement in its initial state: closing it is local only.
            mysql_stmt_close(handle)
            throw error
        }
        self.handle = handle
        parameterCount = Int(mysql_stmt_param_count(handle))
        parameters = ParameterBindings(count: parameterCount)
    }

    /// Frees the statement. If the connection is alive this tells the server (COM_STMT_CLOSE, no
    /// reply); after mysql_close the library has already detached it and this only frees memory.
    func close() {
        mysql_stmt_close(handle)
    }

    /// Binds `values` and runs the statement. A result set, if any, is left pending for
    /// `fetchAllRows()` or `discardResult()`.
    func execute(_ values: [MariaDBValue]) throws {
        // A wrong count is a programming error; the message names counts only, never values.
        precondition(
            values.count == parameterCount,
            "MariaDB: statement has \(parameterCount) placeholders but \(values.count) parameters were given"
        )
        if parameterCount > 0 {
            parameters.set(values)
            // Re-bound each time: mysql_stmt_bind_param copies the binds (types, pointers, lengths) and
            // the types may differ from the previous execution (.null vs .int).
            if mysql_stmt_bind_param(handle, parameters.binds) != 0 {
                throw MariaDBError(statement: handle)
            }
        }
        defer { parameters.releaseLargeBuffers() }
        if mysql_stmt_execute(handle) != 0 {
            throw MariaDBError(statement: handle)
        }
    }

    var affectedRows: UInt64 {
        mysql_stmt_affected_rows(handle)
    }

    var lastInsertID: UInt64 {
        mysql_stmt_insert_id(handle)
    }

    /// Reads the whole result set of the last `execute` into memory and releases it on the client and
    /// the connection, so the next statement can run. Returns [] for statements without a result set.
    func fetchAllRows() throws -> [MariaDBRow] {
        let columnCount = Int(mysql_stmt_field_count(handle))
        guard columnCount > 0 else { return [] }
        // Whatever happens below, leave no pending or buffered result behind: the connection must stay
        // usable after an error.
        defer { mysql_stmt_free_result(handle) }

        let bindings = resultBindings(columnCount: columnCount)
        // Cheap (a memcpy); done after every execute because libmariadb may reallocate its copy of the
        // result binds when the server sends new metadata.
        if mysql_stmt_bind_result(handle, bindings.binds) != 0 {
            throw MariaDBError(statement: handle)
        }
        // Buffer the whole result client-side: rows are small, and the connection is free again
        // as soon as this returns.
        if mysql_stmt_store_result(handle) != 0 {
            throw MariaDBError(statement: handle)
        }
        var rows: [MariaDBRow] = []
        rows.reserveCapacity(Int(clamping: mysql_stmt_num_rows(handle)))
        while true {
            switch mysql_stmt_fetch(handle) {
            case 0, MYSQL_DATA_TRUNCATED:
                rows.append(try bindings.currentRow(of: handle))
            case MYSQL_NO_DATA:
                return rows
            default:
                throw MariaDBError(statement: handle)
            }
        }
    }

    /// Drops a result set nobody wants (a SELECT run through `execute`), and the trailing status result a
    /// `CALL` sends, so the connection is ready for the next statement.
    func discardResult() {
        if mysql_stmt_field_count(handle) > 0 {
            mysql_stmt_free_result(handle)
        }
        while mysql_stmt_more_results(handle) != 0 {
            guard mysql_stmt_next_result(handle) == 0 else { break }
            if mysql_stmt_field_count(handle) > 0 {
                mysql_stmt_free_result(handle)
            }
        }
    }

    private func resultBindings(columnCount: Int) -> ResultBindings {
        if let results, results.count == columnCount {
            return results
        }
        // The metadata only sizes the initial buffers. mysql_stmt_result_metadata wraps the
        // statement's own field array; freeing the wrapper leaves that array alone.
        let metadata = mysql_stmt_result_metadata(handle)
        defer { if let metadata { mysql_free_result(metadata) } }
        let fields = metadata.flatMap { mysql_fetch_fields($0) }
        let bindings = ResultBindings(count: columnCount, fields: fields.map { UnsafePointer($0) })
        results = bindings
        return bindings
    }
}
