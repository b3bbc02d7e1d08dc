/// Failed password checks per account and source, and the sources an account has logged in from. A *source* is
/// the client address as resolved for the firewall, or `LoginSource.unknownSources` for the budget that every
/// source without a recent successful login shares.
public protocol LoginFailureRepository {
    /// Failed checks in the source's window that started after `since` (0 when none).
    func failures(userID: Int, source: String, since: UnixTime) throws(StorageError) -> Int
    /// Counts a failure: in the current window if it started after `since`, else as the first of a new one.
    func recordFailure(userID: Int, source: String, now: UnixTime, since: UnixTime) throws(StorageError)
    func clearFailures(userID: Int, source: String) throws(StorageError)
    /// Whether `source` logged into the account successfully after `since`.
    func isKnownSource(userID: Int, source: String, since: UnixTime) throws(StorageError) -> Bool
    func rememberSource(userID: Int, source: String, now: UnixTime) throws(StorageError)
}

public enum LoginSource {
    /// The shared budget of sources the account has not logged in from (not a valid address, so no clash).
    public static let unknownSources = "*"
}
