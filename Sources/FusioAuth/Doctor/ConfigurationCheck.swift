/// `APP_URL` and the project key's length, judged from the raw `.env` values so a short key is reported like any
/// other check instead of stopping the doctor. Runs before the database is reached; the key itself is never shown.
public struct ConfigurationCheck: Sendable {
    let appURL: String?
    let keyLength: Int
    /// The error `Settings.load` gave, if any: the doctor then cannot connect.
    let loadError: ConfigurationError?

    public init(appURL: String?, keyLength: Int, loadError: ConfigurationError?) {
        self.appURL = appURL
        self.keyLength = keyLength
        self.loadError = loadError
    }

    public func evaluate() -> CheckResult {
        let url = appURL.map { $0.isEmpty ? "empty" : $0 } ?? "missing"
        if keyLength < JSONWebToken.minimumKeyLength {
            return CheckResult(name: "config", status: .fail,
                               detail: "APP_PROJECT_KEY is \(keyLength) bytes, needs at least \(JSONWebToken.minimumKeyLength) (APP_URL \(url))",
                               fix: "copy APP_PROJECT_KEY from PHP Fusio's .env; Fusio 8.8 refuses shorter keys too")
        }
        if let loadError {
            return CheckResult(name: "config", status: .fail, detail: "\(loadError)",
                               fix: "correct \(loadError.key) in the .env file (it must match PHP Fusio's)")
        }
        var detail = "APP_URL \(url), APP_PROJECT_KEY \(keyLength) bytes"
        if url.hasSuffix("/") {
            detail += " (a trailing slash is part of iss and sub: PHP's APP_URL must have it too)"
        }
        return CheckResult(name: "config", status: .ok, detail: detail)
    }
}
