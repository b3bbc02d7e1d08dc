/// A column fusio-auth reads or writes, with the least it needs: the type family, a minimum length for text, and
/// whether it must accept NULL (because fusio-auth writes NULL into it).
public struct ColumnRequirement: Sendable, Equatable {
    public let table: String
    public let column: String
    public let kind: ColumnKind
    public let length: Int?
    public let nullable: Bool

    public init(_ table: String, _ column: String, _ kind: ColumnKind, length: Int? = nil, nullable: Bool = false) {
        self.table = table
        self.column = column
        self.kind = kind
        self.length = length
        self.nullable = nullable
    }

    /// Why `actual` does not do, or nil when it does.
    public func problem(with actual: ColumnFacts) -> String? {
        guard kind.accepts(dataType: actual.dataType) else {
            return "\(table).\(column) is \(actual.dataType.uppercased()), needs \(kind.description)"
        }
        if let length, let actualLength = actual.length, actualLength < length {
            return "\(table).\(column) is \(actual.dataType.uppercased())(\(actualLength)), needs at least \(length)"
        }
        if nullable && !actual.nullable {
            return "\(table).\(column) is NOT NULL, must allow NULL"
        }
        return nil
    }
}
