/// The authorize step's input (§3.4.3), as the JSON API and the HTML form both deliver it.
public struct AuthorizeRequest: Sendable {
    public var responseType: String
    public var clientID: String
    public var redirectURI: String?
    public var scope: String
    public var state: String?
    public var allow: Bool
    public var codeChallenge: String?
    public var codeChallengeMethod: String?

    public init(responseType: String, clientID: String, redirectURI: String?, scope: String, state: String?,
                allow: Bool, codeChallenge: String? = nil, codeChallengeMethod: String? = nil) {
        self.responseType = responseType
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scope = scope
        self.state = state
        self.allow = allow
        self.codeChallenge = codeChallenge
        self.codeChallengeMethod = codeChallengeMethod
    }
}
