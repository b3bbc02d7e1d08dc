import FusioAuth

/// The 503 a request gets when it waited in the queue past the deadline (or the queue was full), in the error
/// format of the endpoint it was sent to. Stateless, so the event loop can render it without a database.
public enum ServiceUnavailable {
    /// Seconds a client should wait: the queue clears within its deadline once the burst passes.
    public static let retryAfterSeconds = 1

    static let oauthPaths: Set<String> = ["/authorization/token", "/authorization/revoke", "/authorization/introspect"]

    public static func response(method: String, requestURI: String) -> HTTPResponse {
        let path = requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let retryAfter = ("Retry-After", String(retryAfterSeconds))
        var response: HTTPResponse
        if oauthPaths.contains(path) {
            response = TokenController.render(.temporarilyUnavailable(StorageError(cause: "request queue deadline")))
        } else if path == "/authorization/authorize" {
            response = AuthorizePageController.page(503, title: "Temporarily unavailable",
                                                    message: "The service is busy. Please try again in a moment.")
        } else {
            response = HTTPError(status: 503, message: "The service is temporarily unavailable, please try again later",
                                 headers: path == "/consumer/login" ? TokenController.noStore : []).response
        }
        response.headers.append(retryAfter)
        return response
    }
}
