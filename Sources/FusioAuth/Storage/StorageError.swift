/// The database could not answer. Requests fail with 503 `temporarily_unavailable`; the cause goes to the log
/// only, and never holds SQL text or values.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public let cause: String

    public init(cause: String) {
        self.cause = cause
    }

    public var description: String { "storage unavailable: \(cause)" }

    /// Not a failure: this thread may not check passwords (`PasswordCheckLane`), so the request moves to the
    /// password lane. Travels as a storage error because every handler already stops cleanly on one, before
    /// writing anything, and the answer it renders is discarded.
    public static let passwordLaneRequired = StorageError(cause: "password check moved to the password lane")

    public var isPasswordLaneHandOver: Bool { cause == Self.passwordLaneRequired.cause }
}
