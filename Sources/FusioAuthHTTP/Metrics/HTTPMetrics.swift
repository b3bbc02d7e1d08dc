import Metrics

/// The HTTP layer's metrics (names in README.md, "Metrics"). Label values come from fixed sets only — route
/// patterns, status codes, grant types that succeeded, OAuth error codes — never from raw request input, so a
/// client cannot grow the exposition.
public enum HTTPMetrics {
    static let firewallBans = Counter(label: "fusio_auth_firewall_bans_total")

    /// One answered request: counted by route and status, its handling time into the latency histogram.
    public static func request(route: String?, status: Int, startedAt: ContinuousClock.Instant) {
        let route = route ?? "unmatched"
        let elapsed = startedAt.duration(to: .now).components
        let nanoseconds = elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
        Counter(label: "fusio_auth_requests_total", dimensions: [("route", route), ("status", String(status))]).increment()
        Timer(label: "fusio_auth_request_duration_seconds", dimensions: [("route", route)]).recordNanoseconds(nanoseconds)
    }

    static func tokenIssued(grantType: String) {
        Counter(label: "fusio_auth_tokens_issued_total", dimensions: [("grant_type", grantType)]).increment()
    }

    static func oauthError(code: String) {
        Counter(label: "fusio_auth_oauth_errors_total", dimensions: [("error", code)]).increment()
    }
}
