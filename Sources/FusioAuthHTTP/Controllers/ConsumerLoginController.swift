import FusioAuth
import Logging

/// `POST /consumer/login` (log in, operation `consumer.account.login`) and `PUT /consumer/login` (refresh,
/// `consumer.account.refresh`), answering `{token, expires_in, refresh_token, scope}` and Fusio's generic error
/// body. Both are public operations: `OperationPipeline` refuses a request without `User-Agent`.
public final class ConsumerLoginController {
    private let login: ConsumerLogin
    private let refresher: TokenRefresher
    private let logger: Logger

    public init(login: ConsumerLogin, refresher: TokenRefresher, logger: Logger) {
        self.login = login
        self.refresher = refresher
        self.logger = logger
    }

    public var post: some OperationAction { Handler(controller: self, action: .login) }
    public var put: some OperationAction { Handler(controller: self, action: .refresh) }

    enum Action { case login, refresh }

    struct Handler: OperationAction {
        let controller: ConsumerLoginController
        let action: Action

        func authentication(for request: HTTPRequest) -> OperationAuthentication { .anonymous }

        func perform(_ request: HTTPRequest, context: OperationContext) -> HTTPResponse {
            controller.handle(request, action: action, ip: context.clientIP)
        }
    }

    func handle(_ request: HTTPRequest, action: Action, ip: String) -> HTTPResponse {
        let userAgent = request.header("user-agent") ?? ""
        let parameters: RequestParameters
        do throws(RequestParameterError) {
            // Read as the token endpoint reads bodies; another content type is read as JSON, Fusio's default.
            if let body = try RequestParameters.ofBody(request) { parameters = body } else { parameters = try .json(request.body) }
        } catch {
            return HTTPError(status: 400, message: error.description).response
        }
        if let name = ParameterLimits.violation(in: parameters) {
            return HTTPError(status: 400, message: "Parameter \(name) is too long", headers: TokenController.noStore).response
        }
        do {
            let token: IssuedToken
            switch action {
            case .login:
                token = try login.login(username: parameters["username"], password: parameters["password"],
                                        scopes: parameters.list("scopes"), userAgent: userAgent, ip: ip)
            case .refresh:
                guard let refreshToken = parameters["refresh_token"], !refreshToken.isEmpty else {
                    return HTTPError(status: 400, message: "No refresh token provided").response
                }
                // No client authentication here, as in Fusio; rotation and reuse detection still apply.
                token = try refresher.refresh(refreshToken, category: TokenCategory.consumer,
                                              name: "Consumer Refresh by \(userAgent) (\(ip))", ip: ip) { _ throws(OAuthError) in }
            }
            return .json(200, [
                "token": .string(token.accessToken), "expires_in": .int(Int(token.expiresIn)),
                "refresh_token": .string(token.refreshToken), "scope": .string(token.scope),
            ], headers: TokenController.noStore)
        } catch {
            if let detail = error.logDetail {
                logger.error("consumer login failed", metadata: ["error": "\(error.code)", "detail": "\(detail)"])
            }
            var failure = HTTPError(status: error.httpStatus == 401 ? 400 : error.httpStatus, message: error.message)
            failure.headers = TokenController.noStore
            return failure.response
        }
    }
}
