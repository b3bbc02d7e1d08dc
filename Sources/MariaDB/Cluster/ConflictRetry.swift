import Glibc

/// How often, and after what pause, work the server rolled back for a conflict runs again: an InnoDB deadlock,
/// or in a Galera cluster a certification failure (also error 1213, at COMMIT or on the statement after a
/// brute-force abort). Shared by every path that retries them, so they all back off alike.
///
/// Under a burst on one row (concurrent refreshes of one token, replays of several tokens of one family
/// revoking it at once, the same token refreshed through two nodes) the same contenders can meet again, so
/// several attempts, each after a random pause that grows, which pulls them apart.
public struct ConflictRetry {
    public static let maximumRetries = 8
    public private(set) var retriesLeft = maximumRetries

    public init() {}

    /// After a conflict: false when the attempts are spent; otherwise pauses and returns true.
    public mutating func pauseBeforeRetry() -> Bool {
        guard retriesLeft > 0 else { return false }
        retriesLeft -= 1
        let attempt = UInt32(Self.maximumRetries - retriesLeft)
        usleep(UInt32.random(in: 500...2_000) * attempt)
        return true
    }
}
