/// A signed token with its row and audit entry, not yet stored.
public struct PreparedToken: Sendable {
    public var row: NewToken
    public var audit: TokenAudit
    public var response: IssuedToken
}
