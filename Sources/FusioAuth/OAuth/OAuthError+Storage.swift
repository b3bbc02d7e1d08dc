extension OAuthError {
    /// Runs a storage call; an outage becomes `temporarily_unavailable` (503).
    public static func storage<T>(_ body: () throws(StorageError) -> T) throws(OAuthError) -> T {
        do {
            return try body()
        } catch {
            throw .temporarilyUnavailable(error)
        }
    }
}
