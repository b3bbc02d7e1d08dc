/// The authorize step's result object (fusio-model `AuthorizeResponse`): a code, or an OAuth error; with the URL
/// to send the browser to when a valid redirect URI was given.
public struct AuthorizeResult: Sendable, Equatable {
    public var type: String
    public var code: String?
    public var error: String?
    public var state: String?
    public var redirectURI: String?

    public static func code(_ code: String, state: String?, redirectURI: String?) -> AuthorizeResult {
        AuthorizeResult(type: "code", code: code, error: nil, state: state, redirectURI: redirectURI)
    }

    public static func failure(_ type: String, _ message: String, state: String?, redirect: RedirectURI?) -> AuthorizeResult {
        let target = redirect?.replacingQuery(with: [("error", type), ("error_description", message), ("state", state)])
        return AuthorizeResult(type: type, code: nil, error: message, state: state, redirectURI: target)
    }

    /// Null members are left out, as PSX writes them.
    public var json: JSONObject {
        var object: JSONObject = ["type": .string(type)]
        if let code { object.append("code", .string(code)) }
        if let error { object.append("error", .string(error)) }
        if let state { object.append("state", .string(state)) }
        if let redirectURI { object.append("redirectUri", .string(redirectURI)) }
        return object
    }
}
