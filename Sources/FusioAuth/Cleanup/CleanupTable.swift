/// The tables `fusio-auth cleanup` trims, in the order it trims them: codes before their challenges, so no
/// code that is still stored ever lacks its challenge.
public enum CleanupTable: String, CaseIterable, Sendable {
    /// Expired tokens (Fusio's own `system:clean` rule) and revoked or rotated ones issued before the cutoff.
    case token = "fusio_token"
    /// Codes past their lifetime, consumed ones included (their date is 1970).
    case appCode = "fusio_app_code"
    /// PKCE challenges whose code has expired or no longer exists.
    case codeChallenge = "fusioauth_code_challenge"
    /// Failure counters whose window has ended: they no longer limit anything.
    case loginAttempt = "fusioauth_login_attempt"
    /// Known sources not seen within `FUSIO_LOGIN_KNOWN_SOURCE_LIFETIME`: they no longer earn a budget.
    case loginSource = "fusioauth_login_source"
}
