public protocol AuthorizationCodeRepository {
    /// The code of an app of the configured tenant, with its PKCE challenge if any.
    func findCode(_ code: String) throws(StorageError) -> AuthorizationCode?
    /// In one transaction: lock the code row, and if it is still unconsumed mark it consumed and store the token.
    /// Returns false (storing nothing) when another request consumed it first.
    func exchange(codeID: Int, for token: PreparedToken) throws(StorageError) -> Bool
}
