public protocol TokenRepository {
    /// Inserts the `fusio_token` row and its `fusio_audit` row in one transaction; returns the token id.
    func insert(_ token: NewToken, audit: TokenAudit) throws(StorageError) -> Int
}
