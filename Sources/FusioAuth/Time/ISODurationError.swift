/// Why a duration string was refused. Carries no part of the input, so configuration errors can be logged as-is.
public enum ISODurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not of the form `P[nY][nM][nW][nD][T[nH][nM][nS]]`: missing `P`, unknown or out-of-order
    /// designators, signs, fractions, spaces or lowercase letters.
    case malformed
    /// `P` or `PT` without any component.
    case noComponents
    /// A component too large to add to a date without overflow.
    case outOfRange

    public var description: String {
        switch self {
        case .malformed: "malformed ISO 8601 duration"
        case .noComponents: "ISO 8601 duration has no components"
        case .outOfRange: "ISO 8601 duration component out of range"
        }
    }
}
