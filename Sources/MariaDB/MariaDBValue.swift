/// A statement parameter. Deliberately tiny: Fusio's columns are integers, strings and datetimes, and
/// datetimes travel as "YYYY-MM-DD HH:MM:SS" text, which the server converts on its side.
public enum MariaDBValue: Sendable, Equatable {
    case null
    /// Bound as MYSQL_TYPE_LONGLONG (signed 64-bit).
    case int(Int64)
    /// Bound as MYSQL_TYPE_STRING in the connection character set (UTF-8).
    case text(String)
}
