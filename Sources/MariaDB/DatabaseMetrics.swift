import Metrics

/// The MariaDB layer's metrics (names in README.md, "Metrics"): errors by kind — `connect` (opening failed),
/// `connection` (an open connection died), `statement` (the server refused a statement) — and reconnects, i.e.
/// connections opened after an earlier one of the same `MariaDBConnection` was lost or closed — and failovers to
/// another cluster node and fail-backs to an earlier one.
enum DatabaseMetrics {
    static let connectErrors = Counter(label: "fusio_auth_database_errors_total", dimensions: [("kind", "connect")])
    static let connectionErrors = Counter(label: "fusio_auth_database_errors_total", dimensions: [("kind", "connection")])
    static let statementErrors = Counter(label: "fusio_auth_database_errors_total", dimensions: [("kind", "statement")])
    static let reconnects = Counter(label: "fusio_auth_database_reconnects_total")
    /// Connections that opened on another cluster node than the one they used before.
    static let failovers = Counter(label: "fusio_auth_database_failovers_total")
    /// Connections that moved back to an earlier node of the list between requests (`failBackIfDue`).
    static let failBacks = Counter(label: "fusio_auth_database_failbacks_total")

    static func count(_ error: Error) {
        if let error = error as? MariaDBError, error.isConnectionFailure {
            connectionErrors.increment()
        } else {
            statementErrors.increment()
        }
    }
}
