/// An OAuth2 error response (RFC 6749 §5.2). Every error the token endpoint answers is built here, through the
/// named constructors, so codes, statuses and Fusio's messages (§3.9 of the reference) live in one place.
public struct OAuthError: Error, Sendable, Equatable {
    public let code: String
    public let message: String
    /// What went wrong underneath, for the server log only; never part of the response.
    public let logDetail: String?

    private init(_ code: String, _ message: String, logDetail: String? = nil) {
        self.code = code
        self.message = message
        self.logDetail = logDetail
    }

    /// 401 only for `invalid_client`, 503 when the database is away, 500 for our own faults, 400 otherwise.
    public var httpStatus: Int {
        switch code {
        case "invalid_client": return 401
        case "temporarily_unavailable": return 503
        case "server_error": return 500
        default: return 400
        }
    }

    /// RFC 6749 §5.2 wants the scheme the client used; Fusio clients use Basic (or body credentials).
    public var wwwAuthenticate: String? {
        code == "invalid_client" ? "Basic realm=\"Fusio\"" : nil
    }

    public static func invalidRequest(_ message: String) -> OAuthError { OAuthError("invalid_request", message) }
    public static func missingParameter(_ name: String) -> OAuthError { invalidRequest("Parameter \(name) is missing") }
    public static let credentialsNotAvailable = invalidRequest("Credentials not available")
    public static let conflictingCredentials = invalidRequest("Client credentials were sent both in the header and the body and differ")
    public static let unknownCredentials = OAuthError("invalid_client", "Unknown credentials")
    public static let unsupportedGrantType = OAuthError("unsupported_grant_type", "Provided an invalid grant type")
    public static func invalidGrant(_ message: String) -> OAuthError { OAuthError("invalid_grant", message) }
    public static let unknownUser = invalidGrant("Unknown user")
    public static let invalidRefreshToken = invalidGrant("Invalid refresh token")
    public static let refreshTokenExpired = invalidGrant("Refresh token is expired")
    public static let invalidCode = invalidGrant("Invalid authorization code")
    public static let codeReused = invalidGrant("Authorization code was already used")
    public static let codeExpired = invalidGrant("Code is expired")
    public static let redirectURIMismatch = invalidGrant("Redirect uri does not match")
    public static let codeVerifierMismatch = invalidGrant("Code verifier does not match the code challenge")
    public static let noValidScope = OAuthError("invalid_scope", "No valid scope given")
    public static let tooManyScopes = OAuthError("invalid_scope", "Provided too many scopes")
    public static let invalidApp = invalidGrant("Invalid app")
    public static let invalidAppStatus = invalidGrant("Invalid app status")
    public static let invalidUser = invalidGrant("Invalid user")
    public static let invalidUserStatus = invalidGrant("Invalid user status")
    /// The user or app was deactivated between reading it and writing the token.
    public static let inactivePrincipal = invalidGrant("Invalid app or user status")
    public static func temporarilyUnavailable(_ cause: StorageError) -> OAuthError {
        OAuthError("temporarily_unavailable", "The service is temporarily unavailable, please try again later",
                   logDetail: cause.isPasswordLaneHandOver ? nil : cause.description)
    }
    public static func serverError(logDetail: String) -> OAuthError {
        OAuthError("server_error", "The server encountered an internal error", logDetail: logDetail)
    }
}
