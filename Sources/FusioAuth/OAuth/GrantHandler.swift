/// One OAuth2 grant type. The token endpoint picks the handler by `grant_type`; the steps grants share
/// (client authentication, scope resolution, issuing) live in `TokenIssuer` and `UserAuthenticator`.
public protocol GrantHandler {
    var grantType: String { get }
    func handle(_ request: TokenRequest) throws(OAuthError) -> IssuedToken
}
