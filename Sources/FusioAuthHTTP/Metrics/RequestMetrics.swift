import Metrics

/// One worker thread's request metrics: `fusio_auth_requests_total{route,status}`,
/// `fusio_auth_request_duration_seconds{route}` and `fusio_auth_oauth_errors_total{error}`. The handles are kept per label set, so a request costs two atomic
/// updates instead of two registry look-ups under the metrics system's locks. Not thread-safe: one per thread.
public final class RequestMetrics {
    private var counters: [String: Counter] = [:]
    private var timers: [String: Timer] = [:]
    private var oauthErrors: [String: Counter] = [:]
    /// The handles of the previous request: a thread mostly answers the same route with the same status, and
    /// comparing two strings and an int is cheaper than building a key and hashing it twice.
    private var last: (route: String, status: Int, counter: Counter, timer: Timer)?

    public init() {}

    /// One answered request; `route` is nil for a path no route matched.
    public func record(route: String?, response: HTTPResponse, startedAt: ContinuousClock.Instant) {
        let route = route ?? "unmatched"
        let status = response.status
        let elapsed = startedAt.duration(to: .now).components
        let handles = handles(route: route, status: status)
        handles.counter.increment()
        handles.timer.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        if let code = response.oauthErrorCode {
            let errors = oauthErrors[code] ?? {
                let made = Counter(label: "fusio_auth_oauth_errors_total", dimensions: [("error", code)])
                oauthErrors[code] = made
                return made
            }()
            errors.increment()
        }
    }

    private func handles(route: String, status: Int) -> (counter: Counter, timer: Timer) {
        if let last, last.status == status, last.route == route { return (last.counter, last.timer) }
        let key = route + " " + String(status)
        let counter = counters[key] ?? {
            let made = Counter(label: "fusio_auth_requests_total", dimensions: [("route", route), ("status", String(status))])
            counters[key] = made
            return made
        }()
        let timer = timers[route] ?? {
            let made = Timer(label: "fusio_auth_request_duration_seconds", dimensions: [("route", route)])
            timers[route] = made
            return made
        }()
        last = (route, status, counter, timer)
        return (counter, timer)
    }
}
