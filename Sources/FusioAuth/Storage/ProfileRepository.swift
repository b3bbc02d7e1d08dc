public protocol ProfileRepository {
    /// The user's view for whoami, in the configured tenant.
    func profile(userID: Int, now: UnixTime) throws(StorageError) -> UserProfile?
    /// `scopes_supported` of the discovery documents: Fusio's `SELECT name FROM fusio_scope WHERE category_id = 1`.
    func discoveryScopes() throws(StorageError) -> [String]
    /// The active scopes of the tenant with these names (id, name, description), in the given order; unknown
    /// names are left out.
    func scopeEntries(named names: [String]) throws(StorageError) -> [ScopeCatalogue.Entry]
}
