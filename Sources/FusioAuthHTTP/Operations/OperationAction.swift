import FusioAuth

/// The work of one Fusio *operation* (a `fusio_operation` row: consumer login, whoami, revoke, the JSON consent
/// step). `OperationPipeline` runs what Fusio's filters run around it; the action only does its own part.
public protocol OperationAction {
    /// How the caller is identified before the rate limit, as Fusio's Authentication filter does.
    func authentication(for request: HTTPRequest) -> OperationAuthentication
    func perform(_ request: HTTPRequest, context: OperationContext) -> HTTPResponse
    /// How request-level failures (an oversized body) are rendered on this operation.
    func reject(_ error: HTTPError) -> HTTPResponse
}

extension OperationAction {
    public func reject(_ error: HTTPError) -> HTTPResponse { error.response }
}

public enum OperationAuthentication {
    /// A public operation: anyone, counted by IP.
    case anonymous
    /// A bearer token that is valid and grants one of the operation's scopes (or one of `alsoAllowed`).
    case bearer(alsoAllowed: [String])
}

/// What the pipeline learned before the action runs.
public struct OperationContext {
    public var operation: OperationAccess
    /// The validated token for `.bearer` operations.
    public var token: ActiveToken?
    public var clientIP: String
}
