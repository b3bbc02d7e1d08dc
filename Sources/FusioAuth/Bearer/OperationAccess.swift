/// A `fusio_operation` row (active, of the tenant) with the scope names that grant it (`allow = 1`).
public struct OperationAccess: Sendable, Equatable {
    public var id: Int
    public var allowedScopes: [String]
    /// `fusio_operation.category_id`, written into the operation's `fusio_log` rows.
    public var categoryID: Int
    /// `fusio_operation.stability`: 0 deprecated, 1 experimental, 2 stable, 3 legacy (fusio-engine).
    public var stability: Int

    public init(id: Int, allowedScopes: [String], categoryID: Int = 1, stability: Int = 1) {
        self.id = id
        self.allowedScopes = allowedScopes
        self.categoryID = categoryID
        self.stability = stability
    }

    /// The `X-Stability` header Fusio's Operation filter sends.
    public var stabilityName: String {
        switch stability {
        case 0: return "deprecated"
        case 1: return "experimental"
        case 2: return "stable"
        case 3: return "legacy"
        default: return "unknown"
        }
    }
}
