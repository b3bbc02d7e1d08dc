public protocol AppRepository {
    /// The apps with this key in the configured tenant, whatever their status, with its owner and both scope lists.
    /// Normally one; several only where the collation lets keys that differ in case or trailing spaces match.
    /// With `allowCached` the store may answer from a copy at most a second old (`cached` says so); issuing then
    /// re-checks the app's and owner's status in the write transaction (`TokenRepository.insert`).
    func findClients(appKey: String, allowCached: Bool) throws(StorageError) -> (clients: [ClientApp], cached: Bool)
    /// The app `id` of the configured tenant, whatever its status (the issuer checks the status).
    func findApp(id: Int) throws(StorageError) -> FusioApp?
}
