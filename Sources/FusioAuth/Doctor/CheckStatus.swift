/// How one doctor check came out. Only `fail` makes the database not ready: a warning names something to look
/// at that does not stop fusio-auth from working.
public enum CheckStatus: Sendable, Equatable {
    case ok
    case warn
    case fail

    /// Upper-case FAIL so a failure stands out in a column of short words.
    public var label: String {
        switch self {
        case .ok: "ok"
        case .warn: "warn"
        case .fail: "FAIL"
        }
    }
}
