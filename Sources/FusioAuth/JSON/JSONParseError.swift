/// Why and where parsing stopped. Deliberately carries no input bytes: the input may be a token or a
/// password-bearing request body, and errors end up in logs.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte \(offset)" }
}
