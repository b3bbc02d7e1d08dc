/// One assigned scope row as the storage layer returns it. The storage layer runs Fusio's sub-scope query
/// (`name LIKE '<name>.%' ORDER BY name`, with Fusio's tenant and status filters, `_` acting as a wildcard), so
/// that the resolution rules here stay free of SQL.
public struct ScopeGrant: Sendable, Equatable {
    public var name: String
    /// Names matched by the sub-scope query, in query order; empty when `name` contains a `.`.
    public var subScopes: [String]

    public init(name: String, subScopes: [String] = []) {
        self.name = name
        self.subScopes = subScopes
    }
}
