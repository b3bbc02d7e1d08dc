import FusioCrypto

/// Random values in the formats PHP Fusio generates (impl `TokenGenerator`, reference §4.4). Formats matter
/// because PHP Fusio reads the same rows and clients may validate them.
public enum TokenGenerator {
    /// `gen(20)-gen(48)-gen(10)`, 80 characters.
    public static func refreshToken() -> String {
        SecureRandom.hex(groups: [20, 48, 10], separator: UInt8(ascii: "-"))
    }

    /// `gen(16)`.
    public static func authorizationCode() -> String {
        SecureRandom.hex(16)
    }

    /// `gen(64)`.
    public static func appSecret() -> String {
        SecureRandom.hex(64)
    }

    /// fusio-auth's `jti` claim, which keeps two tokens issued for the same user in the same second distinct:
    /// `bytes` random bytes as base64url (16 bytes: 22 characters, 128 bits; 8 bytes: 11 characters, for tokens
    /// that would otherwise not fit `fusio_token.token`).
    public static func jwtID(bytes: Int = 16) -> String {
        Base64URL.encode(SecureRandom.bytes(bytes))
    }
}
