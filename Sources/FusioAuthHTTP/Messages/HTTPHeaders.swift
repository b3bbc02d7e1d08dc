/// Request headers as the web server passed them: names lowercased with `-` (from FastCGI `HTTP_*` parameters),
/// plus `content-type`. A request has a handful and the handlers read a few: appending and scanning beats
/// hashing every name into a dictionary (~4 k instructions per request). A name sent twice counts with its last
/// value, as the dictionary's assignment did.
public struct HTTPHeaders: Sendable, ExpressibleByDictionaryLiteral {
    private var fields: [(name: String, value: String)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Adds a header; a later one of the same name hides the earlier.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// The last value sent under `name` (lowercase, `-`), or nil.
    public subscript(_ name: String) -> String? {
        // Lengths first: most names differ in length, which costs no string comparison.
        let length = name.utf8.count
        for field in fields.reversed() where field.name.utf8.count == length && field.name == name {
            return field.value
        }
        return nil
    }

    /// Each name once with its last value, sorted by name (the request log).
    public var sortedByName: [(name: String, value: String)] {
        var last: [String: String] = [:]
        for field in fields { last[field.name] = field.value }
        return last.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }
}
