public protocol LoginFailureRepository {
    /// Failed password checks of the user in the window that started at or after `since` (0 when none).
    func failures(userID: Int, since: UnixTime) throws(StorageError) -> Int
    /// Counts a failure: in the current window if it started after `since`, else as the first of a new one.
    func recordFailure(userID: Int, now: UnixTime, since: UnixTime) throws(StorageError)
    func clearFailures(userID: Int) throws(StorageError)
}
