public protocol HealthCheck {
    /// True when the database answers a trivial query now.
    func isDatabaseReachable() -> Bool
    /// The `FUSIO_AUTH_DB_HOSTS` entry (`HOST:PORT`) this thread's connection uses; nil without a node list.
    var databaseNode: String? { get }
}

extension HealthCheck {
    public var databaseNode: String? { nil }
}
