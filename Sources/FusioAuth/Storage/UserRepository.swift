public protocol UserRepository {
    /// The active user of the configured tenant whose name (or e-mail) equals `login` under the column collation.
    func findActiveUser(login: String, byName: Bool) throws(StorageError) -> FusioUser?
    /// The scopes available to a user (`fusio_user_scope` plus plan scopes), expanded as Fusio does.
    func availableScopes(userID: Int) throws(StorageError) -> AvailableScopes
    /// The user `id` of the configured tenant, whatever its status (the issuer checks the status).
    func findUser(id: Int) throws(StorageError) -> FusioUser?
}

