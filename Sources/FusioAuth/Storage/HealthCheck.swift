public protocol HealthCheck {
    /// True when the database answers a trivial query now.
    func isDatabaseReachable() -> Bool
}
