/// Compact JSON that matches PHP `json_encode` byte for byte (PHP 8, `serialize_precision = -1`):
/// `/` is literal unless `escapeSlashes` (PHP's default without `JSON_UNESCAPED_SLASHES`), every non-ASCII
/// scalar becomes a lowercase `\uXXXX` escape (UTF-16 pairs above U+FFFF), C0 controls other than
/// \b \f \n \r \t become `\u00xx`, DEL stays literal. JWT signatures depend on these exact bytes.
public enum JSONWriter {
    /// Two passes: the first computes an upper bound of the output length (exact except for numbers), the
    /// second writes through a raw pointer into a buffer of that size — one allocation, no per-byte
    /// capacity checks. This runs for every token issued.
    public static func encode(_ value: JSONValue, escapeSlashes: Bool = false) -> [UInt8] {
        let capacity = maximumLength(of: value, escapeSlashes: escapeSlashes)
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var cursor = Cursor(position: buffer.baseAddress!)
            write(value, to: &cursor, escapeSlashes: escapeSlashes)
            initialized = cursor.position - buffer.baseAddress!
            precondition(initialized <= capacity, "JSONWriter size bound violated")
        }
    }

    /// A write position in a buffer sized beforehand (here and in `BoundedJSON`).
    struct Cursor {
        var position: UnsafeMutablePointer<UInt8>

        @inline(__always)
        mutating func put(_ byte: UInt8) {
            position.pointee = byte
            position += 1
        }

        @inline(__always)
        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            position.update(from: base, count: bytes.count)
            position += bytes.count
        }

        @inline(__always)
        mutating func put(_ literal: StaticString) {
            literal.withUTF8Buffer { put($0) }
        }
    }

    static let integerBound = 20
    private static let doubleBound = 32

    private static func maximumLength(of value: JSONValue, escapeSlashes: Bool) -> Int {
        switch value {
        case .null, .bool: return 5
        case .int: return integerBound
        case .double: return doubleBound
        case .string(let text): return escapedLength(of: text, escapeSlashes: escapeSlashes)
        case .array(let elements):
            var total = 2 + elements.count
            for element in elements { total += maximumLength(of: element, escapeSlashes: escapeSlashes) }
            return total
        case .object(let object):
            var total = 2 + object.count * 2
            for member in object.members {
                total += escapedLength(of: member.key, escapeSlashes: escapeSlashes)
                total += maximumLength(of: member.value, escapeSlashes: escapeSlashes)
            }
            return total
        }
    }

    /// An upper bound of the encoded length including the quotes, without reading the text: a byte becomes at
    /// most six (`\u00xx`), and a 2-, 3- or 4-byte sequence at most 6, 6 or 12. Writers of fixed-shape objects
    /// (the token answer, the JWT payload, the audit row) size their buffer with this and scan each string once.
    static func escapedLengthBound(of text: String) -> Int {
        2 + 6 * text.utf8.count
    }

    /// Exact encoded length including the quotes.
    static func escapedLength(of text: String, escapeSlashes: Bool) -> Int {
        withUTF8(text) { bytes in
            var total = 2
            var index = 0
            while index < bytes.count {
                if index + 8 <= bytes.count, plainWord(bytes, at: index, escapeSlashes: escapeSlashes) {
                    total += 8; index += 8
                    continue
                }
                let byte = bytes[index]
                switch byte {
                case 0x08, 0x09, 0x0A, 0x0C, 0x0D, UInt8(ascii: "\\"), UInt8(ascii: "\""):
                    total += 2; index += 1
                case UInt8(ascii: "/"):
                    total += escapeSlashes ? 2 : 1; index += 1
                case 0x00..<0x20:
                    total += 6; index += 1
                case 0x20..<0x80:
                    total += 1; index += 1
                case 0xC0..<0xE0:
                    total += 6; index += 2
                case 0xE0..<0xF0:
                    total += 6; index += 3
                default:
                    total += 12; index += 4
                }
            }
            return total
        }
    }

    /// True when none of the 8 bytes at `index` needs escaping (no control byte, no non-ASCII byte, no `"`,
    /// `\`, nor `/` when slashes are escaped), tested a word at a time: tokens are long runs of such bytes.
    @inline(__always)
    private static func plainWord(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, escapeSlashes: Bool) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
        // Exact as booleans (Bit Twiddling Hacks, "haszero" and "hasless" for n <= 128).
        @inline(__always) func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        if word & highs != 0 || (word &- ones &* 0x20) & ~word & highs != 0 { return false }
        if hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C)) { return false }
        return !(escapeSlashes && hasZeroByte(word ^ (ones &* 0x2F)))
    }

    /// `String.withUTF8` is inlinable, so this stays specialised; `utf8.withContiguousStorageIfAvailable` went
    /// through the standard library's generic entry point for every string written.
    @inline(__always)
    private static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var copy = text
        return copy.withUTF8(body)
    }

    private static func write(_ value: JSONValue, to cursor: inout Cursor, escapeSlashes: Bool) {
        switch value {
        case .null:
            cursor.put("null")
        case .bool(let flag):
            cursor.put(flag ? "true" : "false")
        case .int(let number):
            writeInteger(number, to: &cursor)
        case .double(let number):
            writeDouble(number, to: &cursor)
        case .string(let text):
            writeString(text, to: &cursor, escapeSlashes: escapeSlashes)
        case .array(let elements):
            cursor.put(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { cursor.put(UInt8(ascii: ",")) }
                first = false
                write(element, to: &cursor, escapeSlashes: escapeSlashes)
            }
            cursor.put(UInt8(ascii: "]"))
        case .object(let object):
            cursor.put(UInt8(ascii: "{"))
            var first = true
            for member in object.members {
                if !first { cursor.put(UInt8(ascii: ",")) }
                first = false
                writeString(member.key, to: &cursor, escapeSlashes: escapeSlashes)
                cursor.put(UInt8(ascii: ":"))
                write(member.value, to: &cursor, escapeSlashes: escapeSlashes)
            }
            cursor.put(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, to cursor: inout Cursor, escapeSlashes: Bool) {
        cursor.put(UInt8(ascii: "\""))
        withUTF8(text) { bytes in
            let count = bytes.count
            var runStart = 0
            var index = 0
            while index < count {
                if index + 8 <= count, plainWord(bytes, at: index, escapeSlashes: escapeSlashes) {
                    index += 8
                    continue
                }
                let byte = bytes[index]
                let needsEscape = byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"")
                    || byte == UInt8(ascii: "\\") || (escapeSlashes && byte == UInt8(ascii: "/"))
                if !needsEscape {
                    index += 1
                    continue
                }
                cursor.put(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                if byte < 0x80 {
                    writeEscapedASCII(byte, to: &cursor)
                    index += 1
                } else {
                    // Swift strings are valid UTF-8, so the sequence is complete and well-formed.
                    let scalar: UInt32
                    if byte < 0xE0 {
                        scalar = UInt32(byte & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                        index += 2
                    } else if byte < 0xF0 {
                        scalar = UInt32(byte & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6
                            | UInt32(bytes[index + 2] & 0x3F)
                        index += 3
                    } else {
                        scalar = UInt32(byte & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
                            | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
                        index += 4
                    }
                    if scalar >= 0x10000 {
                        let offset = scalar - 0x10000
                        writeUnicodeEscape(0xD800 + (offset >> 10), to: &cursor)
                        writeUnicodeEscape(0xDC00 + (offset & 0x3FF), to: &cursor)
                    } else {
                        writeUnicodeEscape(scalar, to: &cursor)
                    }
                }
                runStart = index
            }
            cursor.put(UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
        }
        cursor.put(UInt8(ascii: "\""))
    }

    private static func writeEscapedASCII(_ byte: UInt8, to cursor: inout Cursor) {
        let shortForm: UInt8
        switch byte {
        case UInt8(ascii: "\""): shortForm = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): shortForm = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): shortForm = UInt8(ascii: "/")
        case 0x08: shortForm = UInt8(ascii: "b")
        case 0x0C: shortForm = UInt8(ascii: "f")
        case 0x0A: shortForm = UInt8(ascii: "n")
        case 0x0D: shortForm = UInt8(ascii: "r")
        case 0x09: shortForm = UInt8(ascii: "t")
        default:
            writeUnicodeEscape(UInt32(byte), to: &cursor)
            return
        }
        cursor.put(UInt8(ascii: "\\"))
        cursor.put(shortForm)
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt32) -> UInt8 {
        nibble < 10 ? UInt8(nibble) + UInt8(ascii: "0") : UInt8(nibble - 10) + UInt8(ascii: "a")
    }

    private static func writeUnicodeEscape(_ unit: UInt32, to cursor: inout Cursor) {
        cursor.put(UInt8(ascii: "\\"))
        cursor.put(UInt8(ascii: "u"))
        cursor.put(hexDigit(unit >> 12 & 0xF))
        cursor.put(hexDigit(unit >> 8 & 0xF))
        cursor.put(hexDigit(unit >> 4 & 0xF))
        cursor.put(hexDigit(unit & 0xF))
    }

    static func writeInteger(_ number: Int, to cursor: inout Cursor) {
        if number < 0 { cursor.put(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digitCount = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digitCount += 1
        }
        var position = cursor.position + digitCount
        cursor.position = position
        repeat {
            position -= 1
            position.pointee = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    /// PHP prints floats with the shortest round-trip digits (`serialize_precision = -1`) laid out by
    /// `php_gcvt(value, 17, '.', 'e')`: `1.0e+25`, `1.0e-5`, `0.0001`, `100`, `-0`. Swift's `description`
    /// yields the same shortest digits, which are re-laid out here. PHP refuses NaN and infinities; its
    /// partial-output fallback `0` is written instead.
    private static func writeDouble(_ number: Double, to cursor: inout Cursor) {
        guard number.isFinite else {
            cursor.put(UInt8(ascii: "0"))
            return
        }
        var digits: [UInt8] = []
        var integerDigits = 0
        var exponent = 0
        var seenPoint = false
        var exponentNegative = false
        var inExponent = false
        for character in number.magnitude.description.utf8 {
            switch character {
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-") where inExponent: exponentNegative = true
            case UInt8(ascii: "+"): break
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(character - UInt8(ascii: "0"))
                } else {
                    digits.append(character)
                    if !seenPoint { integerDigits += 1 }
                }
            default: break
            }
        }
        var decimalPoint = integerDigits + (exponentNegative ? -exponent : exponent)
        while digits.count > 1 && digits[0] == UInt8(ascii: "0") {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.count > 1 && digits[digits.count - 1] == UInt8(ascii: "0") {
            digits.removeLast()
        }
        if digits == [UInt8(ascii: "0")] { decimalPoint = 1 }

        if number.sign == .minus { cursor.put(UInt8(ascii: "-")) }
        if decimalPoint < 0 ? decimalPoint < -3 : decimalPoint > 17 {
            cursor.put(digits[0])
            cursor.put(UInt8(ascii: "."))
            if digits.count == 1 {
                cursor.put(UInt8(ascii: "0"))
            } else {
                for digit in digits[1...] { cursor.put(digit) }
            }
            cursor.put(UInt8(ascii: "e"))
            let shown = decimalPoint - 1
            cursor.put(shown < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            writeInteger(abs(shown), to: &cursor)
        } else if decimalPoint < 0 {
            cursor.put("0.")
            for _ in 0..<(-decimalPoint) { cursor.put(UInt8(ascii: "0")) }
            for digit in digits { cursor.put(digit) }
        } else {
            for position in 0..<decimalPoint {
                cursor.put(position < digits.count ? digits[position] : UInt8(ascii: "0"))
            }
            if decimalPoint < digits.count {
                if decimalPoint == 0 { cursor.put(UInt8(ascii: "0")) }
                cursor.put(UInt8(ascii: "."))
                for digit in digits[decimalPoint...] { cursor.put(digit) }
            }
        }
    }
}
