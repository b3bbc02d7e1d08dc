/// What a call of `fusioauth_issue_token` would meet. information_schema hides routines from an account without
/// rights on them, so the inspector asks the server by calling it with no arguments, which never runs it.
public enum ProcedureAccess: Sendable, Equatable {
    case callable
    /// The server refused EXECUTE (the procedure may or may not exist).
    case denied
    case missing
}
