/// The database could not answer. Requests fail with 503 `temporarily_unavailable`; the cause goes to the log
/// only, and never holds SQL text or values.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public let cause: String

    public init(cause: String) {
        self.cause = cause
    }

    public var description: String { "storage unavailable: \(cause)" }
}
