/// Strict RFC 8259 parser for untrusted input (request bodies, token segments).
///
/// Rejects: trailing commas, comments, leading zeros, invalid UTF-8 (overlong forms, surrogates, > U+10FFFF),
/// lone surrogates in `\u` escapes, raw control characters in strings, NaN/Infinity, numbers too large for a
/// Double, duplicate object keys, nesting deeper than `maxDepth` arrays/objects, and anything after the value.
/// Integers that fit `Int` become `.int`; every other number becomes `.double` (PHP's split).
public enum JSONParser {
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 32) throws(JSONParseError) -> JSONValue {
        // withContiguousStorageIfAvailable rethrows untyped errors, so the typed error travels in a Result.
        let direct = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                var reader = Reader(bytes: buffer, maxDepth: maxDepth)
                return try reader.parseDocument()
            }
        }
        if let direct { return try direct.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                var reader = Reader(bytes: buffer, maxDepth: maxDepth)
                return try reader.parseDocument()
            }
        }.get()
    }
}

extension JSONParser {
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let maxDepth: Int
        var index = 0
        var depth = 0

        /// Objects at most this large check for duplicate keys by scanning; larger ones switch to a set so
        /// a hostile body with many keys cannot make parsing quadratic.
        static let linearDuplicateCheckLimit = 16

        init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func failure(_ message: String, at offset: Int? = nil) -> JSONParseError {
            JSONParseError(message, offset: offset ?? index)
        }

        mutating func parseDocument() throws(JSONParseError) -> JSONValue {
            skipWhitespace()
            let value = try parseValue()
            skipWhitespace()
            guard index == bytes.count else { throw failure("unexpected data after the JSON value") }
            return value
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func parseValue() throws(JSONParseError) -> JSONValue {
            guard index < bytes.count else { throw failure("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject()
            case UInt8(ascii: "["): return try parseArray()
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try parseNumber()
            default:
                throw failure("unexpected character")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - index >= count else { throw failure("invalid literal") }
            let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
            for offset in 0..<count where bytes[index + offset] != expected[offset] {
                throw failure("invalid literal", at: index + offset)
            }
            index += count
        }

        mutating func enterContainer() throws(JSONParseError) {
            depth += 1
            guard depth <= maxDepth else { throw failure("nesting too deep") }
            index += 1
        }

        mutating func parseArray() throws(JSONParseError) -> JSONValue {
            try enterContainer()
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue())
                skipWhitespace()
                guard index < bytes.count else { throw failure("unterminated array") }
                switch bytes[index] {
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    depth -= 1
                    return .array(elements)
                default:
                    throw failure("expected ',' or ']'")
                }
            }
        }

        mutating func parseObject() throws(JSONParseError) -> JSONValue {
            try enterContainer()
            var object = JSONObject()
            var seenKeys: Set<String>? = nil
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(object)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw failure("expected a string key")
                }
                let keyOffset = index
                let key = try parseString()
                if seenKeys == nil && object.count >= Self.linearDuplicateCheckLimit {
                    seenKeys = Set(object.keys)
                }
                let duplicate: Bool
                if seenKeys != nil {
                    duplicate = !seenKeys!.insert(key).inserted
                } else {
                    duplicate = object[key] != nil
                }
                if duplicate { throw failure("duplicate object key", at: keyOffset) }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                index += 1
                skipWhitespace()
                object.append(key, try parseValue())
                skipWhitespace()
                guard index < bytes.count else { throw failure("unterminated object") }
                switch bytes[index] {
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    depth -= 1
                    return .object(object)
                default:
                    throw failure("expected ',' or '}'")
                }
            }
        }

        mutating func parseString() throws(JSONParseError) -> String {
            index += 1
            let start = index
            // Fast path: printable ASCII without escapes is copied in one go.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\\") { break }
                index += 1
            }
            var buffer = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while true {
                guard index < bytes.count else { throw failure("unterminated string", at: start - 1) }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    // Every byte was validated (or produced from a valid scalar), so decoding cannot repair.
                    return String(decoding: buffer, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    try parseEscape(into: &buffer)
                case 0x00..<0x20:
                    throw failure("control character in string")
                case 0x80...:
                    let length = try validUTF8SequenceLength()
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<index + length]))
                    index += length
                default:
                    buffer.append(byte)
                    index += 1
                }
            }
        }

        mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
            let escapeOffset = index
            index += 1
            guard index < bytes.count else { throw failure("unterminated escape", at: escapeOffset) }
            let letter = bytes[index]
            index += 1
            switch letter {
            case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHexQuad()
                switch scalar {
                case 0xD800...0xDBFF:
                    guard bytes.count - index >= 6,
                          bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    else { throw failure("lone surrogate in \\u escape", at: escapeOffset) }
                    index += 2
                    let low = try parseHexQuad()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw failure("lone surrogate in \\u escape", at: escapeOffset)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                case 0xDC00...0xDFFF:
                    throw failure("lone surrogate in \\u escape", at: escapeOffset)
                default:
                    break
                }
                appendUTF8(scalar, to: &buffer)
            default:
                throw failure("invalid escape", at: escapeOffset)
            }
        }

        mutating func parseHexQuad() throws(JSONParseError) -> UInt32 {
            guard bytes.count - index >= 4 else { throw failure("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("invalid hex digit in \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
            switch scalar {
            case 0..<0x80:
                buffer.append(UInt8(scalar))
            case 0x80..<0x800:
                buffer.append(UInt8(0xC0 | scalar >> 6))
                buffer.append(UInt8(0x80 | scalar & 0x3F))
            case 0x800..<0x10000:
                buffer.append(UInt8(0xE0 | scalar >> 12))
                buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
                buffer.append(UInt8(0x80 | scalar & 0x3F))
            default:
                buffer.append(UInt8(0xF0 | scalar >> 18))
                buffer.append(UInt8(0x80 | scalar >> 12 & 0x3F))
                buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
                buffer.append(UInt8(0x80 | scalar & 0x3F))
            }
        }

        /// Length of the well-formed UTF-8 sequence starting at `index` (RFC 3629 table 3-7), or an error.
        func validUTF8SequenceLength() throws(JSONParseError) -> Int {
            let lead = bytes[index]
            let length: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; secondRange = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; secondRange = 0x80...0x9F
            case 0xF0: length = 4; secondRange = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; secondRange = 0x80...0x8F
            default: throw failure("invalid UTF-8")
            }
            guard bytes.count - index >= length else { throw failure("invalid UTF-8") }
            guard secondRange.contains(bytes[index + 1]) else { throw failure("invalid UTF-8", at: index + 1) }
            for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) {
                throw failure("invalid UTF-8", at: index + offset)
            }
            return length
        }

        mutating func parseNumber() throws(JSONParseError) -> JSONValue {
            let start = index
            let negative = bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if index < bytes.count && isDigit(bytes[index]) { throw failure("leading zero in number") }
            } else {
                skipDigits()
            }
            var isInteger = true
            if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw failure("invalid fraction") }
                skipDigits()
            }
            if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
                isInteger = false
                index += 1
                if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                    index += 1
                }
                guard index < bytes.count, isDigit(bytes[index]) else { throw failure("invalid exponent") }
                skipDigits()
            }
            let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
            if isInteger, let integer = integerValue(text, negative: negative) {
                return .int(integer)
            }
            guard let double = Double(String(decoding: text, as: UTF8.self)), double.isFinite else {
                throw failure("number out of range", at: start)
            }
            return .double(double)
        }

        /// Accumulates negatively so that `Int.min` fits; nil on overflow (the caller falls back to Double).
        func integerValue(_ text: UnsafeBufferPointer<UInt8>, negative: Bool) -> Int? {
            var value = 0
            for byte in text where byte != UInt8(ascii: "-") {
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = shifted.subtractingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                if overflow1 || overflow2 { return nil }
                value = next
            }
            if negative { return value }
            return value == Int.min ? nil : -value
        }

        func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        mutating func skipDigits() {
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
    }
}
