import FusioAuth
import Logging

/// Fusio's filter chain around a database operation (reference §3.0, impl `Controller/ActionController`), in
/// its order: User-Agent required; the operation row must be active (404 otherwise, as Fusio's router);
/// `X-Request-Id`, `X-Operation-Id`, `X-Stability`, `X-Powered-By`; authentication; the rate limit
/// (`RateLimit-Limit`/`-Remaining`, 429 with `Retry-After: 900` past it); then the action and its `fusio_log`
/// row. The firewall runs around every route already (`FirewallFilter`). Refusals before the action write no log
/// row, as in Fusio, where the Logger filter comes last.
public final class OperationPipeline: HTTPHandler {
    private let name: String
    private let action: any OperationAction
    private let services: OperationServices

    public init(_ name: String, _ action: any OperationAction, services: OperationServices) {
        self.name = name
        self.action = action
        self.services = services
    }

    public func reject(_ error: HTTPError) -> HTTPResponse { action.reject(error) }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = MonotonicTime.milliseconds()
        guard let userAgent = request.header("user-agent"), !userAgent.isEmpty else {
            return HTTPError(status: 400, message: "Request must contain an User-Agent header").response
        }
        let operation: OperationAccess
        do {
            guard let found = try services.tokens.operation(named: name) else { return HTTPError.notFound.response }
            operation = found
        } catch {
            return HTTPError.databaseUnavailable.response
        }
        var headers = [
            ("X-Request-Id", FusioUUID.pseudoRandom()), ("X-Operation-Id", name),
            ("X-Stability", operation.stabilityName), ("X-Powered-By", "Fusio"),
        ]
        var context = OperationContext(operation: operation, token: nil, clientIP: services.clientIP.resolve(request))
        if case .bearer(let alsoAllowed) = action.authentication(for: request) {
            do {
                let token = try services.validator.validate(authorization: request.header("authorization"))
                try services.validator.authorize(token, for: operation, alsoAllowed: alsoAllowed)
                context.token = token
            } catch {
                return Self.adding(headers, to: services.challenge.response(error))
            }
        }
        let caller = context.token?.caller ?? .anonymous
        do {
            if let decision = try services.limiter.check(operationID: operation.id, caller: caller, ip: context.clientIP) {
                headers.append(("RateLimit-Limit", String(decision.limit)))
                headers.append(("RateLimit-Remaining", String(decision.remaining)))
                if decision.exceeded {
                    let refusal = HTTPError(status: 429, message: "Rate limit exceeded",
                                            headers: [("Retry-After", String(RateLimiter.retryAfterSeconds))])
                    return Self.adding(headers, to: refusal.response)
                }
            }
        } catch {
            return Self.adding(headers, to: HTTPError.databaseUnavailable.response)
        }
        let response = Self.adding(headers, to: action.perform(request, context: context))
        log(request, response, context: context, caller: caller, userAgent: userAgent, started: started)
        return response
    }

    private func log(_ request: HTTPRequest, _ response: HTTPResponse, context: OperationContext,
                     caller: OperationCaller, userAgent: String, started: Int64) {
        let entry = RequestLogEntry(
            categoryID: context.operation.categoryID, operationID: context.operation.id, appID: caller.appID,
            userID: caller.userID, ip: context.clientIP, userAgent: userAgent, method: request.method, path: request.path,
            header: LogRedaction.header(request.headers.sortedByName),
            body: LogRedaction.body(request.body), responseCode: response.status,
            executionMilliseconds: Int(MonotonicTime.milliseconds() - started), date: services.clock.now())
        do {
            try services.logs.insertLog(entry)
        } catch {
            // The answer stands (the action is done); the log row is lost, which the server log says.
            services.logger.warning("request log row not written", metadata: ["operation": "\(name)", "error": "\(error)"])
        }
    }

    /// Fusio's filters set their headers before the action's own.
    static func adding(_ headers: [(String, String)], to response: HTTPResponse) -> HTTPResponse {
        var response = response
        response.headers = headers + response.headers
        return response
    }
}
