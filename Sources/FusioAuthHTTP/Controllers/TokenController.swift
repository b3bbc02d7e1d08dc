import FusioAuth
import Logging

/// `POST /authorization/token`. Every answer, success or error, carries `Cache-Control: no-store` and
/// `Pragma: no-cache` (RFC 6749 §5.1), which PHP Fusio forgets.
public final class TokenController: HTTPHandler {
    private let endpoint: TokenEndpoint
    private let clientIP: ClientIPResolver
    private let logger: Logger
    /// The router that holds this controller belongs to one worker thread.
    private let issued = TokenIssueCounters()

    static let noStore = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
    private static let jsonNoStore = [HTTPResponse.jsonContentType] + noStore

    public init(endpoint: TokenEndpoint, clientIP: ClientIPResolver, logger: Logger) {
        self.endpoint = endpoint
        self.clientIP = clientIP
        self.logger = logger
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let parameters: RequestParameters
        do {
            guard let parsed = try RequestParameters.ofBody(request) else {
                return Self.render(.invalidRequest("Content-Type must be application/x-www-form-urlencoded or application/json"))
            }
            parameters = parsed
        } catch {
            return Self.render(.invalidRequest(error.description))
        }
        let tokenRequest = TokenRequest(
            parameters: parameters.scalars, authorization: request.header("authorization"),
            userAgent: request.header("user-agent"), clientIP: clientIP.resolve(request))
        if let name = ParameterLimits.violation(in: parameters) ?? ParameterLimits.violation(in: tokenRequest.headerCredentials) {
            // An over-long scope list keeps Fusio's error for it; every other parameter is a malformed request.
            return Self.render(name == "scope" ? .tooManyScopes : .invalidRequest("Parameter \(name) is too long"))
        }
        do {
            let token = try endpoint.handle(tokenRequest)
            issued.increment(grantType: tokenRequest.parameters["grant_type"] ?? "")
            return .json(200, encoded: token.oauthResponseBody, headers: Self.jsonNoStore)
        } catch {
            if let detail = error.logDetail {
                logger.error("token request failed", metadata: ["error": "\(error.code)", "detail": "\(detail)"])
            }
            return Self.render(error)
        }
    }

    public func reject(_ error: HTTPError) -> HTTPResponse {
        var response = Self.render(.invalidRequest(error.message))
        response.status = error.status
        return response
    }

    static func render(_ error: OAuthError) -> HTTPResponse {
        var headers = noStore
        if let challenge = error.wwwAuthenticate { headers.append(("WWW-Authenticate", challenge)) }
        var response = HTTPResponse.json(error.httpStatus, ["error": .string(error.code), "error_description": .string(error.message)],
                                         headers: headers)
        response.oauthErrorCode = error.code
        return response
    }
}

extension RequestParameters {
    /// Form and JSON bodies as Fusio reads them (§3.3.1); a body without a content type is read as JSON when it
    /// looks like JSON, else as a form, which is what clients that forget the header mean. nil for any other
    /// content type.
    static func ofBody(_ request: HTTPRequest) throws(RequestParameterError) -> RequestParameters? {
        switch request.mediaType {
        case "application/x-www-form-urlencoded":
            return try .form(request.body)
        case "application/json":
            return try .json(request.body)
        case nil, "":
            let first = request.body.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }
            return first == UInt8(ascii: "{") ? try .json(request.body) : try .form(request.body)
        default:
            return nil
        }
    }
}
