/// JSON of a fixed shape written straight into one buffer: the writer adds up an upper bound of the length
/// (`JSONWriter.escapedLengthBound(of:)` per string, `JSONWriter.integerBound` per number, its literals), and the
/// members go in one pass with no per-byte capacity check. The token answer, the JWT payload and the audit row are
/// written this way on every token — byte for byte what `JSONWriter.encode` writes for the same object (their tests
/// compare both), without building and walking a `JSONValue` tree twice.
struct BoundedJSON {
    private var cursor: JSONWriter.Cursor

    private init(_ start: UnsafeMutablePointer<UInt8>) {
        cursor = JSONWriter.Cursor(position: start)
    }

    /// The bytes `write` puts, in a buffer of `capacity`; writing past the bound stops the process.
    static func bytes(capacity: Int, _ write: (inout BoundedJSON) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            initialized = fill(buffer, capacity: capacity, write)
        }
    }

    /// As `bytes`, as a String (what is written is UTF-8).
    static func string(capacity: Int, _ write: (inout BoundedJSON) -> Void) -> String {
        String(unsafeUninitializedCapacity: capacity) { buffer in fill(buffer, capacity: capacity, write) }
    }

    private static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>, capacity: Int,
                             _ write: (inout BoundedJSON) -> Void) -> Int {
        let start = buffer.baseAddress!
        var json = BoundedJSON(start)
        write(&json)
        let written = json.cursor.position - start
        precondition(written <= capacity, "BoundedJSON: size bound violated")
        return written
    }

    /// The bytes of a writer's literals together, for its capacity.
    static func length(of literals: StaticString...) -> Int {
        literals.reduce(0) { $0 + $1.utf8CodeUnitCount }
    }

    /// Bytes written as they are: keys with their quotes and separators, brackets.
    mutating func literal(_ text: StaticString) { cursor.put(text) }

    mutating func byte(_ byte: UInt8) { cursor.put(byte) }

    mutating func string(_ text: String, escapeSlashes: Bool = false) {
        JSONWriter.writeString(text, to: &cursor, escapeSlashes: escapeSlashes)
    }

    mutating func integer(_ number: Int) { JSONWriter.writeInteger(number, to: &cursor) }

    /// A key literal (with its separator) and a string value.
    mutating func member(_ key: StaticString, _ text: String) {
        cursor.put(key)
        string(text)
    }

    /// Bytes a formatter writes itself (`write` returns how many), such as a date.
    mutating func formatted(_ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        cursor.position += write(cursor.position)
    }
}
