public protocol ConsentRepository {
    /// In one transaction: upsert the `fusio_user_grant` consent (allow 1), insert the `fusio_app_code` row and,
    /// with PKCE, its challenge in `fusioauth_code_challenge`.
    func storeCode(_ code: String, appID: Int, userID: Int, redirectURI: String?, scope: String, challenge: CodeChallenge?,
                   now: UnixTime) throws(StorageError)
}
