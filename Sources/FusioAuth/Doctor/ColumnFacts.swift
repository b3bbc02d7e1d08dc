/// A column as information_schema.columns describes it.
public struct ColumnFacts: Sendable, Equatable {
    /// DATA_TYPE, lower case (`varchar`, `int`, …).
    public let dataType: String
    /// CHARACTER_MAXIMUM_LENGTH, for text types.
    public let length: Int?
    public let nullable: Bool

    public init(dataType: String, length: Int?, nullable: Bool) {
        self.dataType = dataType.lowercased()
        self.length = length
        self.nullable = nullable
    }
}
