/// One result row. Every column is fetched as text: libmariadb converts INT, DATETIME, DECIMAL … to
/// their string form, so callers parse only what they need and nothing here depends on column types.
public struct MariaDBRow: Sendable {
    /// Column values in SELECT order; nil is SQL NULL.
    public let columns: [String?]

    public init(columns: [String?]) {
        self.columns = columns
    }

    /// The column's text, nil for NULL. Traps on an index outside the row, like an array.
    public subscript(_ i: Int) -> String? {
        columns[i]
    }

    /// The column as an integer; nil for NULL or text that is not a plain integer (e.g. "1.5").
    public func int(_ i: Int) -> Int? {
        guard let text = columns[i] else { return nil }
        return Int(text)
    }

    /// Same as the subscript; reads better next to `int(_:)`.
    public func string(_ i: Int) -> String? {
        columns[i]
    }
}
