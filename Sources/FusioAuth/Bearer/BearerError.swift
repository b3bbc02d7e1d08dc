/// Why a bearer token was refused. Every case is answered with 401 and Fusio's generic body; the messages are
/// Fusio's (§3.8).
public enum BearerError: Error, Sendable, Equatable {
    case missingHeader
    case invalidType
    case missingToken
    case invalidToken
    case notInScope
    case unavailable(String)

    public var message: String {
        switch self {
        case .missingHeader: "Missing authorization header"
        case .invalidType: "Invalid authorization type"
        case .missingToken: "No authorization token was provided"
        case .invalidToken: "Invalid access token"
        case .notInScope: "Access to this operation is not in the scope of the provided token"
        case .unavailable: "The service is temporarily unavailable"
        }
    }
}
