/// Fusio's CORS filter (psx-http `Filter/CORS.php` with the psx-fw defaults, §3.0): a wildcard origin, no
/// credentials, and the preflight answers only for what the request asked about.
public enum CORS {
    static let allowMethods = "OPTIONS, HEAD, GET, POST, PUT, DELETE, PATCH"
    static let allowHeaders = "Accept, Accept-Language, Authorization, Content-Language, Content-Type, User-Agent"

    /// Nothing unless the request has an `origin` header (even an empty one). `requestHeaders` names are
    /// lowercased with `-`, as in `HTTPRequest.headers`.
    public static func headers(requestHeaders: HTTPHeaders, method: String) -> [(String, String)] {
        guard requestHeaders["origin"] != nil else { return [] }
        var headers = [("Access-Control-Allow-Origin", "*")]
        if method == "OPTIONS" {
            if requestHeaders["access-control-request-method"] != nil {
                headers.append(("Access-Control-Allow-Methods", allowMethods))
            }
            if requestHeaders["access-control-request-headers"] != nil {
                headers.append(("Access-Control-Allow-Headers", allowHeaders))
            }
            headers.append(("Access-Control-Expose-Headers", "*"))
        }
        return headers
    }
}
