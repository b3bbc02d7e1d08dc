/// A refused `cleanup` option, named so the operator knows which one to fix.
public struct CleanupOptionError: Error, Equatable, CustomStringConvertible, Sendable {
    public let option: String
    public let reason: String

    public var description: String { "\(option) \(reason)" }
}
