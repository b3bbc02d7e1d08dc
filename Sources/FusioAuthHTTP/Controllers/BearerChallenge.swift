import FusioAuth

/// Fusio's answer to a refused bearer token (§3.8): 401, the generic body and a challenge pointing at the
/// protected-resource metadata.
struct BearerChallenge {
    let baseURL: String

    func response(_ error: BearerError) -> HTTPResponse {
        if case .unavailable = error { return HTTPError.databaseUnavailable.response }
        return HTTPError(status: 401, message: error.message, headers: [
            ("WWW-Authenticate", "Bearer realm=\"Fusio\", resource_metadata=\"\(baseURL)/.well-known/oauth-protected-resource\""),
            ("Cache-Control", "no-store"),
        ]).response
    }
}
