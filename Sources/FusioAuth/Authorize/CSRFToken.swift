import FusioCrypto

/// A stateless anti-CSRF token for the HTML consent form (§8.2 row 8): an expiry and an HMAC over it and a
/// binding string (the canonical authorize query, built by the caller), so a token taken from one consent page
/// cannot approve another request, and nothing has to be stored between GET and POST.
///
/// The MAC input starts with a fixed label, so it can never equal a JWS signing input made with the same project
/// key (those start with a base64url header).
public struct CSRFToken: Sendable {
    private static let label = "fusio-auth-csrf|"
    /// "9223372036854775807" has 19 digits; the MAC is 43 base64url characters.
    private static let maximumLength = 19 + 1 + 43

    private let key: [UInt8]
    private let lifetimeSeconds: Int64

    public init(key: [UInt8], lifetimeSeconds: Int64 = 600) {
        precondition(lifetimeSeconds > 0, "CSRF token lifetime must be positive")
        self.key = key
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// "<expiry unix seconds>.<base64url(HMAC-SHA256(key, "fusio-auth-csrf|" + expiry + "|" + binding))>"
    public func make(binding: String, now: Int64) -> String {
        let expiry = String(now + lifetimeSeconds)
        return expiry + "." + signature(expiry: expiry, binding: binding)
    }

    /// Constant-time in the MAC; false when malformed, expired (at or after the expiry second), or bound to
    /// another string.
    public func verify(_ token: String, binding: String, now: Int64) -> Bool {
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumLength, let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else {
            return false
        }
        let digits = bytes[..<dot]
        // Canonical decimal only: one textual form per expiry.
        guard !digits.isEmpty, digits.count <= 19,
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              digits.count == 1 || digits.first != UInt8(ascii: "0"),
              let expiry = Int64(String(decoding: digits, as: UTF8.self)),
              now < expiry
        else { return false }
        let expected = signature(expiry: String(expiry), binding: binding)
        return ConstantTime.equals(Array(expected.utf8), bytes[(dot + 1)...])
    }

    private func signature(expiry: String, binding: String) -> String {
        Base64URL.encode(HMACSHA256.authenticate(Array((Self.label + expiry + "|" + binding).utf8), key: key))
    }
}
