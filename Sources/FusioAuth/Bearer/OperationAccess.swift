/// A `fusio_operation` row (active, of the tenant) with the scope names that grant it (`allow = 1`).
public struct OperationAccess: Sendable, Equatable {
    public var id: Int
    public var allowedScopes: [String]

    public init(id: Int, allowedScopes: [String]) {
        self.id = id
        self.allowedScopes = allowedScopes
    }
}
