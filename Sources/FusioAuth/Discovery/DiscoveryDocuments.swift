/// The `/.well-known/*` documents of §3.7, built from the base URL `B` (`APP_URL`, verbatim) and the scope names
/// (`SELECT name FROM fusio_scope WHERE category_id = 1 ORDER BY name`, queried by the caller).
///
/// Endpoint URLs are Fusio's dispatch URL `D = B + "/"` (with `psx_dispatch` at its default `''`) followed by the
/// path, so a `B` with a trailing slash gives `B//authorization/...` exactly as PHP prints it.
public enum DiscoveryDocuments {
    /// §3.7 openid-configuration, member for member and in that order, with `B` = baseURL verbatim, plus (appended
    /// after Fusio's members) "revocation_endpoint": B/authorization/revoke, "introspection_endpoint":
    /// B/authorization/introspect, "code_challenge_methods_supported": ["S256","plain"]; and
    /// token_endpoint_auth_methods_supported replaced by ["client_secret_basic","client_secret_post","none"].
    public static func openIDConfiguration(baseURL: String, scopes: [String]) -> JSONObject {
        document(baseURL: baseURL, scopes: scopes, claims: true)
    }

    /// The same without claims_supported.
    public static func authorizationServer(baseURL: String, scopes: [String]) -> JSONObject {
        document(baseURL: baseURL, scopes: scopes, claims: false)
    }

    /// {"resource": B or B + "/" + path, "authorization_servers": [B], "scopes_supported", "bearer_methods_supported":
    /// ["header"], "resource_signing_alg_values_supported": ["HS256"]}; `path` is what follows
    /// "/.well-known/oauth-protected-resource/" (nil → resource = B; "" → B + "/").
    public static func protectedResource(baseURL: String, path: String?, scopes: [String]) -> JSONObject {
        [
            "resource": .string(path.map { baseURL + "/" + $0 } ?? baseURL),
            "authorization_servers": strings([baseURL]),
            "scopes_supported": strings(scopes),
            "bearer_methods_supported": strings(["header"]),
            "resource_signing_alg_values_supported": strings(["HS256"]),
        ]
    }

    private static func document(baseURL: String, scopes: [String], claims: Bool) -> JSONObject {
        let dispatch = baseURL + "/"
        var object = JSONObject()
        object.reserveCapacity(15)
        object.append("issuer", .string(baseURL))
        object.append("authorization_endpoint", .string(dispatch + "authorization/authorize"))
        object.append("token_endpoint", .string(dispatch + "authorization/token"))
        object.append("token_endpoint_auth_methods_supported",
                      strings(["client_secret_basic", "client_secret_post", "none"]))
        object.append("token_endpoint_auth_signing_alg_values_supported", strings(["HS256"]))
        object.append("userinfo_endpoint", .string(dispatch + "authorization/whoami"))
        object.append("scopes_supported", strings(scopes))
        object.append("response_types_supported", strings(["code"]))
        object.append("response_modes_supported", strings(["query"]))
        object.append("grant_types_supported",
                      strings(["authorization_code", "client_credentials", "password", "refresh_token"]))
        if claims {
            object.append("claims_supported",
                          strings(["iss", "sub", "iat", "exp", "name", "preferred_username", "aud", "email"]))
        }
        object.append("service_documentation", .string("https://docs.fusio-project.org/"))
        object.append("revocation_endpoint", .string(dispatch + "authorization/revoke"))
        object.append("introspection_endpoint", .string(dispatch + "authorization/introspect"))
        object.append("code_challenge_methods_supported", strings(["S256", "plain"]))
        return object
    }

    private static func strings(_ values: [String]) -> JSONValue {
        .array(values.map(JSONValue.string))
    }
}
