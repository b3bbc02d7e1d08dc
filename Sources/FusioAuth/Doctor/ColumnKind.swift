/// The families of MariaDB column types fusio-auth can work with; any member of a family is compatible, because
/// values travel as text and integers (MariaDBValue) whatever the exact type.
public enum ColumnKind: Sendable, Equatable {
    case integer
    /// VARCHAR/CHAR: the length matters, a shorter column would truncate or refuse our values.
    case text
    case longText
    case dateTime

    /// `dataType` as information_schema.columns.DATA_TYPE spells it (lower case).
    public func accepts(dataType: String) -> Bool {
        switch self {
        case .integer: ["int", "bigint", "mediumint", "smallint", "tinyint"].contains(dataType)
        case .text: ["varchar", "char"].contains(dataType)
        case .longText: ["text", "mediumtext", "longtext", "json"].contains(dataType)
        case .dateTime: ["datetime", "timestamp"].contains(dataType)
        }
    }

    public var description: String {
        switch self {
        case .integer: "an integer"
        case .text: "VARCHAR"
        case .longText: "TEXT/LONGTEXT"
        case .dateTime: "DATETIME"
        }
    }
}
