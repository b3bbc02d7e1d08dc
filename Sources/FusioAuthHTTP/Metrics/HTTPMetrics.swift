import Metrics

/// The HTTP layer's metrics besides `RequestMetrics` and `TokenIssueCounters` (names in README.md, "Metrics").
/// Label values come from fixed sets only — route patterns, status codes, grant types that succeeded, OAuth error
/// codes — never from raw request input, so a client cannot grow the exposition.
enum HTTPMetrics {
    static let firewallBans = Counter(label: "fusio_auth_firewall_bans_total")
}
