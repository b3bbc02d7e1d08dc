public protocol AppRepository {
    /// The apps with this key in the configured tenant, whatever their status, with its owner and both scope lists.
    /// Normally one; several only where the collation lets keys that differ in case or trailing spaces match.
    func findClients(appKey: String) throws(StorageError) -> [ClientApp]
    /// The app `id` of the configured tenant, whatever its status (the issuer checks the status).
    func findApp(id: Int) throws(StorageError) -> FusioApp?
}
