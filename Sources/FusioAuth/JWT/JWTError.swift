/// Why a token was refused. Never carries token bytes or claim values, so it is safe to log.
public enum JWTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not three base64url segments (php-jwt "Wrong number of segments"), or absurdly long.
    case malformed
    /// The header is not a JSON object.
    case invalidHeader
    /// `alg` missing or anything but `HS256` (`none` included).
    case unsupportedAlgorithm
    case invalidSignature
    /// The payload is not a JSON object, or `nbf`/`iat`/`exp` is not a number.
    case invalidClaims
    /// `nbf` (or, without `nbf`, `iat`) lies in the future.
    case notYetValid
    /// `exp` ≤ now.
    case expired
    /// php-jwt ≥ 7 refuses HS256 keys shorter than 32 bytes for signing and verifying.
    case keyTooShort

    public var description: String {
        switch self {
        case .malformed: "Wrong number of segments"
        case .invalidHeader: "Invalid header encoding"
        case .unsupportedAlgorithm: "Algorithm not supported"
        case .invalidSignature: "Signature verification failed"
        case .invalidClaims: "Invalid claims encoding"
        case .notYetValid: "Cannot handle token prior to its issue time"
        case .expired: "Expired token"
        case .keyTooShort: "Provided key is too short"
        }
    }
}
