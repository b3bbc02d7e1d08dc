/// A configuration problem, reported by the name of the setting and never by its value, so that errors can be
/// logged at startup without leaking keys or database passwords.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key): \(reason)" }
}
