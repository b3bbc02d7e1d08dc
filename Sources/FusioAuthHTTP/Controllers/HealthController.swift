import FusioAuth

/// `GET /health`: 200 when this thread's database connection answers, 503 otherwise. With a cluster
/// (`FUSIO_AUTH_DB_HOSTS`) the 200 names the node this thread uses, so a probe shows where each worker went.
public final class HealthController: HTTPHandler {
    private let check: any HealthCheck

    public init(check: any HealthCheck) {
        self.check = check
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard check.isDatabaseReachable() else {
            return .json(503, ["status": .string("unavailable")], headers: [("Cache-Control", "no-store")])
        }
        var body: JSONObject = ["status": .string("ok")]
        if let node = check.databaseNode { body["node"] = .string(node) }
        return .json(200, body, headers: [("Cache-Control", "no-store")])
    }
}
