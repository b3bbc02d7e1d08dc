import FusioAuth

/// `GET /health`: 200 when this thread's database connection answers, 503 otherwise.
public final class HealthController: HTTPHandler {
    private let check: any HealthCheck

    public init(check: any HealthCheck) {
        self.check = check
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard check.isDatabaseReachable() else {
            return .json(503, ["status": .string("unavailable")], headers: [("Cache-Control", "no-store")])
        }
        return .json(200, ["status": .string("ok")], headers: [("Cache-Control", "no-store")])
    }
}
