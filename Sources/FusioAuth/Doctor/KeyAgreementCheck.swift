import FusioCrypto

/// Whether PHP Fusio and fusio-auth sign with the same key and issuer: the newest token PHP issued (no `jti`,
/// which only fusio-auth writes) must verify with the configured key and carry `iss` = APP_URL. Without a PHP
/// token, the newest token at all is used. Expiry does not matter here, only the signature.
public struct KeyAgreementCheck: DoctorCheck {
    let key: [UInt8]
    let appURL: String
    let now: UnixTime

    public init(key: [UInt8], appURL: String, now: UnixTime) {
        self.key = key
        self.appURL = appURL
        self.now = now
    }

    public func evaluate(_ facts: DatabaseFacts) -> CheckResult {
        let fromPHP = facts.recentTokens.first { Self.payload(of: $0.token)?["jti"] == nil }
        guard let chosen = fromPHP ?? facts.recentTokens.first else {
            return CheckResult(name: "key", status: .warn, detail: "no token in fusio_token: none found to compare keys with",
                               fix: "sign in once through PHP Fusio and run the doctor again")
        }
        let which = fromPHP == nil ? "newest token (id \(chosen.id), issued by fusio-auth; no PHP-issued token found)"
                                   : "newest PHP-issued token (id \(chosen.id))"
        do {
            _ = try JSONWebToken.verify(chosen.token, key: key, now: now.seconds)
        } catch JWTError.expired, JWTError.notYetValid {
            // Thrown after the signature check passed.
        } catch {
            return CheckResult(name: "key", status: .fail, detail: "\(which) does not verify with APP_PROJECT_KEY: \(error)",
                               fix: "set APP_PROJECT_KEY to PHP Fusio's APP_PROJECT_KEY, byte for byte")
        }
        if let issuer = Self.payload(of: chosen.token)?["iss"]?.stringValue, issuer != appURL {
            return CheckResult(name: "key", status: .fail, detail: "\(which) verifies, but its iss is \(issuer), not APP_URL \(appURL)",
                               fix: "set APP_URL to PHP Fusio's APP_URL, byte for byte (iss and sub depend on it)")
        }
        return CheckResult(name: "key", status: .ok, detail: "\(which) verifies with APP_PROJECT_KEY (HS256) and APP_URL")
    }

    /// The claims, unverified: only to tell whose token it is.
    static func payload(of token: String) -> JSONObject? {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let bytes = Base64URL.decode(segments[1]),
              case .object(let claims)? = try? JSONParser.parse(bytes, maxDepth: 8) else { return nil }
        return claims
    }
}
