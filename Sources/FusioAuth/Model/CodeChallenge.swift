import FusioCrypto

/// An RFC 7636 code challenge stored with an authorization code (in fusio-auth's own table).
public struct CodeChallenge: Sendable, Equatable {
    public enum Method: String, Sendable {
        case s256 = "S256"
        case plain
    }

    public var challenge: String
    public var method: Method

    public init(challenge: String, method: Method) {
        self.challenge = challenge
        self.method = method
    }

    /// RFC 7636 §4.1: 43–128 characters of `[A-Za-z0-9-._~]`.
    public static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.utf8.count) && value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                return true
            default:
                return false
            }
        }
    }

    public func isSatisfied(by verifier: String) -> Bool {
        guard Self.isWellFormed(verifier) else { return false }
        let expected: [UInt8]
        switch method {
        case .s256: expected = Array(Base64URL.encode(SHA256.hash(Array(verifier.utf8))).utf8)
        case .plain: expected = Array(verifier.utf8)
        }
        return ConstantTime.equals(expected, Array(challenge.utf8))
    }
}
