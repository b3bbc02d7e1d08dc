import FusioCrypto

/// HS256 JWTs exactly as PHP Fusio (php-jwt 7) writes and checks them (reference §4.1).
public enum JSONWebToken {
    /// base64url of `{"typ":"JWT","alg":"HS256"}`, php-jwt's header byte for byte.
    public static let headerSegment = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"

    /// php-jwt's minimum; `verify` enforces it, configuration loading must enforce it before `sign` is used.
    public static let minimumKeyLength = 32

    /// Fusio tokens are under 512 characters (the column size); anything far longer is refused unparsed.
    private static let maximumTokenLength = 16_384

    /// `key` is the raw bytes of `APP_PROJECT_KEY` (not hex-decoded).
    public static func sign(payload: JSONObject, key: [UInt8]) -> String {
        sign(encodedPayload: JSONWriter.encode(.object(payload), escapeSlashes: false), key: key)
    }

    /// `payload` already encoded as JSON (`AccessTokenClaims.encodedPayload`).
    public static func sign(encodedPayload: [UInt8], key: [UInt8]) -> String {
        let payloadSegment = Base64URL.encode(encodedPayload)
        var token = headerSegment
        token.reserveCapacity(headerSegment.utf8.count + payloadSegment.utf8.count + 45)
        token += "."
        token += payloadSegment
        let signature = HMACSHA256.authenticate(token.utf8, key: key)
        token += "."
        token += Base64URL.encode(signature)
        return token
    }

    /// php-jwt `JWT::decode` with leeway 0: three segments, header `alg` exactly `HS256`, constant-time
    /// signature check, then `nbf` > now (or, without `nbf`, `iat` > now) and `exp` ≤ now are refused.
    /// Claims that are absent or JSON null are not checked, as PHP's `isset` skips them.
    public static func verify(_ token: String, key: [UInt8], now: Int64) throws(JWTError) -> JSONObject {
        guard key.count >= minimumKeyLength else { throw .keyTooShort }
        let utf8 = token.utf8
        guard utf8.count <= maximumTokenLength,
              let firstDot = utf8.firstIndex(of: UInt8(ascii: ".")),
              let secondDot = utf8[utf8.index(after: firstDot)...].firstIndex(of: UInt8(ascii: ".")),
              !utf8[utf8.index(after: secondDot)...].contains(UInt8(ascii: "."))
        else { throw .malformed }

        guard let headerBytes = Base64URL.decode(token[..<firstDot]) else { throw .invalidHeader }
        guard case .object(let header)? = try? JSONParser.parse(headerBytes, maxDepth: 8) else {
            throw .invalidHeader
        }
        guard header["alg"] == .string("HS256") else { throw .unsupportedAlgorithm }

        guard let signature = Base64URL.decode(token[utf8.index(after: secondDot)...]) else {
            throw .invalidSignature
        }
        let expected = HMACSHA256.authenticate(utf8[..<secondDot], key: key)
        guard ConstantTime.equals(signature, expected) else { throw .invalidSignature }

        guard let payloadBytes = Base64URL.decode(token[utf8.index(after: firstDot)..<secondDot]),
              case .object(let payload)? = try? JSONParser.parse(payloadBytes)
        else { throw .invalidClaims }

        if let notBefore = try timeClaim(payload["nbf"]) {
            if notBefore.isAfter(now) { throw .notYetValid }
        } else if let issuedAt = try timeClaim(payload["iat"]), issuedAt.isAfter(now) {
            throw .notYetValid
        }
        if let expiry = try timeClaim(payload["exp"]), expiry.isNotAfter(now) {
            throw .expired
        }
        return payload
    }

    /// php-jwt compares `floor(nbf|iat) > now` and `now >= exp`; integers are compared exactly, floats as PHP does.
    private enum TimeClaim {
        case integer(Int)
        case float(Double)

        func isAfter(_ now: Int64) -> Bool {
            switch self {
            case .integer(let value): Int64(value) > now
            case .float(let value): value.rounded(.down) > Double(now)
            }
        }

        func isNotAfter(_ now: Int64) -> Bool {
            switch self {
            case .integer(let value): now >= Int64(value)
            case .float(let value): Double(now) >= value
            }
        }
    }

    private static func timeClaim(_ value: JSONValue?) throws(JWTError) -> TimeClaim? {
        switch value {
        case nil, .null?: nil
        case .int(let number)?: .integer(number)
        case .double(let number)?: .float(number)
        default: throw .invalidClaims
        }
    }
}
