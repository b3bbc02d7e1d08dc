/// Compact JSON that matches PHP `json_encode` byte for byte (PHP 8, `serialize_precision = -1`):
/// `/` is literal unless `escapeSlashes` (PHP's default without `JSON_UNESCAPED_SLASHES`), every non-ASCII
/// scalar becomes a lowercase `\uXXXX` escape (UTF-16 pairs above U+FFFF), C0 controls other than
/// \b \f \n \r \t become `\u00xx`, DEL stays literal. JWT signatures depend on these exact bytes.
public enum JSONWriter {
    public static func encode(_ value: JSONValue, escapeSlashes: Bool = false) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(estimatedSize(of: value))
        write(value, into: &output, escapeSlashes: escapeSlashes)
        return output
    }

    private static func write(_ value: JSONValue, into output: inout [UInt8], escapeSlashes: Bool) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .int(let number):
            writeInteger(number, into: &output)
        case .double(let number):
            writeDouble(number, into: &output)
        case .string(let text):
            writeString(text, into: &output, escapeSlashes: escapeSlashes)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output, escapeSlashes: escapeSlashes)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &output, escapeSlashes: escapeSlashes)
                output.append(UInt8(ascii: ":"))
                write(member.value, into: &output, escapeSlashes: escapeSlashes)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A close upper-bound guess for the common case (ASCII strings, short numbers) so the hot path
    /// allocates once.
    private static func estimatedSize(of value: JSONValue) -> Int {
        switch value {
        case .null, .bool: return 5
        case .int: return 20
        case .double: return 24
        case .string(let text): return text.utf8.count + 8
        case .array(let elements): return elements.reduce(2) { $0 + 1 + estimatedSize(of: $1) }
        case .object(let object):
            return object.members.reduce(2) { $0 + $1.key.utf8.count + 4 + estimatedSize(of: $1.value) }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func writeString(_ text: String, into output: inout [UInt8], escapeSlashes: Bool) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            let count = bytes.count
            var runStart = 0
            var index = 0
            while index < count {
                let byte = bytes[index]
                let needsEscape = byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"")
                    || byte == UInt8(ascii: "\\") || (escapeSlashes && byte == UInt8(ascii: "/"))
                if !needsEscape {
                    index += 1
                    continue
                }
                if runStart < index {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                }
                if byte < 0x80 {
                    writeEscapedASCII(byte, into: &output)
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
                        writeUnicodeEscape(0xD800 + (offset >> 10), into: &output)
                        writeUnicodeEscape(0xDC00 + (offset & 0x3FF), into: &output)
                    } else {
                        writeUnicodeEscape(scalar, into: &output)
                    }
                }
                runStart = index
            }
            if runStart < count {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscapedASCII(_ byte: UInt8, into output: inout [UInt8]) {
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
            writeUnicodeEscape(UInt32(byte), into: &output)
            return
        }
        output.append(UInt8(ascii: "\\"))
        output.append(shortForm)
    }

    private static func writeUnicodeEscape(_ unit: UInt32, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        output.append(UInt8(ascii: "u"))
        output.append(hexDigits[Int(unit >> 12 & 0xF)])
        output.append(hexDigits[Int(unit >> 8 & 0xF)])
        output.append(hexDigits[Int(unit >> 4 & 0xF)])
        output.append(hexDigits[Int(unit & 0xF)])
    }

    private static func writeInteger(_ number: Int, into output: inout [UInt8]) {
        if number < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var position = 20
            repeat {
                position -= 1
                digits[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[position..<20]))
        }
    }

    /// PHP prints floats with the shortest round-trip digits (`serialize_precision = -1`) laid out by
    /// `php_gcvt(value, 17, '.', 'e')`: `1.0e+25`, `1.0e-5`, `0.0001`, `100`, `-0`. Swift's `description`
    /// yields the same shortest digits, which are re-laid out here. PHP refuses NaN and infinities; its
    /// partial-output fallback `0` is written instead.
    private static func writeDouble(_ number: Double, into output: inout [UInt8]) {
        guard number.isFinite else {
            output.append(UInt8(ascii: "0"))
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

        if number.sign == .minus { output.append(UInt8(ascii: "-")) }
        if decimalPoint < 0 ? decimalPoint < -3 : decimalPoint > 17 {
            output.append(digits[0])
            output.append(UInt8(ascii: "."))
            if digits.count == 1 {
                output.append(UInt8(ascii: "0"))
            } else {
                output.append(contentsOf: digits[1...])
            }
            output.append(UInt8(ascii: "e"))
            let shown = decimalPoint - 1
            output.append(shown < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            writeInteger(abs(shown), into: &output)
        } else if decimalPoint < 0 {
            output.append(contentsOf: "0.".utf8)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -decimalPoint))
            output.append(contentsOf: digits)
        } else {
            for position in 0..<decimalPoint {
                output.append(position < digits.count ? digits[position] : UInt8(ascii: "0"))
            }
            if decimalPoint < digits.count {
                if decimalPoint == 0 { output.append(UInt8(ascii: "0")) }
                output.append(UInt8(ascii: "."))
                output.append(contentsOf: digits[decimalPoint...])
            }
        }
    }
}
