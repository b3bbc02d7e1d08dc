import Metrics

/// `fusio_auth_tokens_issued_total{grant_type}` for one worker thread's token controller: the counter handle of
/// each grant type is made once, not looked up in the metrics system (under its lock) for every token. Grant
/// types come from the fixed set the endpoint handles. Not thread-safe: one per thread, like `RequestMetrics`.
final class TokenIssueCounters {
    private var counters: [(grantType: String, counter: Counter)] = []

    func increment(grantType: String) {
        if let known = counters.first(where: { $0.grantType == grantType }) {
            known.counter.increment()
            return
        }
        let counter = Counter(label: "fusio_auth_tokens_issued_total", dimensions: [("grant_type", grantType)])
        counters.append((grantType, counter))
        counter.increment()
    }
}
