/// Reads Fusio's `.env` the way symfony/dotenv does for the lines a Fusio installation actually contains, so both
/// services see the same settings from one shared file.
///
/// Deliberately unsupported, and reported as an error instead of being misread: `$VAR`, `${VAR}` and `$(command)`
/// expansion (PHP would substitute them, so silently keeping them literal would give the two services different
/// values; write `\$` in a double-quoted value for a literal dollar), multi-line quoted values, and values made of
/// several concatenated quoted parts. Errors name the line, never its text, because the text may be a secret.
public enum EnvFile {
    public static func parse(_ text: String) throws(ConfigurationError) -> [String: String] {
        var result: [String: String] = [:]
        var number = 0
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            var line = Array(rawLine)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            var parser = LineParser(bytes: line, number: number)
            if let (key, value) = try parser.parse() {
                result[key] = value
            }
        }
        return result
    }
}

private struct LineParser {
    let bytes: [UInt8]
    let number: Int
    var index = 0
    var key = ".env"

    init(bytes: [UInt8], number: Int) {
        self.bytes = bytes
        self.number = number
    }

    mutating func parse() throws(ConfigurationError) -> (String, String)? {
        skipBlanks()
        if atEnd || current == UInt8(ascii: "#") { return nil }

        var exported = false
        if hasPrefix("export"), index + 6 < bytes.count, isBlank(bytes[index + 6]) {
            index += 6
            skipBlanks()
            exported = true
        }

        key = try readKey()
        if atEnd || current == UInt8(ascii: "#") || (isBlank(current) && restIsComment()) {
            // symfony accepts `export NAME` to export an existing variable; it defines nothing.
            if exported { return nil }
            throw failure("expected '=' after the variable name")
        }
        guard current == UInt8(ascii: "=") else { throw failure("expected '=' after the variable name") }
        index += 1
        skipBlanks()

        let value: [UInt8]
        if atEnd {
            value = []
        } else if current == UInt8(ascii: "\"") {
            value = try readDoubleQuoted()
            try expectOnlyComment()
        } else if current == UInt8(ascii: "'") {
            value = try readSingleQuoted()
            try expectOnlyComment()
        } else {
            value = try readUnquoted()
        }
        return (key, String(decoding: value, as: UTF8.self))
    }

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8 { bytes[index] }

    private func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private mutating func skipBlanks() {
        while !atEnd, isBlank(current) { index += 1 }
    }

    private func hasPrefix(_ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        return prefix.withUTF8Buffer { Array($0) == Array(bytes[index..<(index + count)]) }
    }

    private func restIsComment() -> Bool {
        var probe = index
        while probe < bytes.count, isBlank(bytes[probe]) { probe += 1 }
        return probe == bytes.count || bytes[probe] == UInt8(ascii: "#")
    }

    private func failure(_ reason: String) -> ConfigurationError {
        ConfigurationError(key: key, reason: "line \(number): \(reason)")
    }

    private mutating func readKey() throws(ConfigurationError) -> String {
        let start = index
        while !atEnd {
            let byte = current
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard isLetter || byte == UInt8(ascii: "_") || (isDigit && index > start) else { break }
            index += 1
        }
        guard index > start else { throw failure("expected a variable name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func readDoubleQuoted() throws(ConfigurationError) -> [UInt8] {
        index += 1
        var value: [UInt8] = []
        while !atEnd {
            let byte = current
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return value
            case UInt8(ascii: "\\") where !atEnd:
                let escaped = current
                index += 1
                switch escaped {
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): value.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "t"): value.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "$"): value.append(escaped)
                default:
                    // symfony leaves unknown escapes alone.
                    value.append(byte)
                    value.append(escaped)
                }
            case UInt8(ascii: "$"):
                try rejectExpansion()
                value.append(byte)
            default:
                value.append(byte)
            }
        }
        throw failure("unterminated double-quoted value (multi-line values are not supported)")
    }

    private mutating func readSingleQuoted() throws(ConfigurationError) -> [UInt8] {
        index += 1
        let start = index
        while !atEnd {
            if current == UInt8(ascii: "'") {
                let value = Array(bytes[start..<index])
                index += 1
                return value
            }
            index += 1
        }
        throw failure("unterminated single-quoted value (multi-line values are not supported)")
    }

    private mutating func readUnquoted() throws(ConfigurationError) -> [UInt8] {
        var value: [UInt8] = []
        while !atEnd {
            let byte = current
            // As in symfony, `#` starts a comment at the start of the value or after a blank.
            if byte == UInt8(ascii: "#"), value.last.map(isBlank) ?? true { break }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                throw failure("quotes inside an unquoted value are not supported")
            }
            index += 1
            if byte == UInt8(ascii: "$") { try rejectExpansion() }
            value.append(byte)
        }
        while let last = value.last, isBlank(last) { value.removeLast() }
        // symfony refuses unquoted values with inner blanks too, so PHP could never have loaded such a line.
        if value.contains(where: isBlank) {
            throw failure("a value containing spaces must be quoted")
        }
        return value
    }

    /// Called after a `$` has been consumed.
    private func rejectExpansion() throws(ConfigurationError) {
        guard !atEnd else { return }
        let next = current
        let isLetter = (next | 0x20) >= UInt8(ascii: "a") && (next | 0x20) <= UInt8(ascii: "z")
        if isLetter || next == UInt8(ascii: "{") || next == UInt8(ascii: "(") {
            throw failure("variable expansion is not supported; escape '$' as '\\$' in a double-quoted value")
        }
    }

    private mutating func expectOnlyComment() throws(ConfigurationError) {
        let afterQuote = index
        skipBlanks()
        if atEnd { return }
        // A comment must be separated from the closing quote, as in symfony.
        if current == UInt8(ascii: "#"), index > afterQuote { return }
        throw failure("unexpected characters after the quoted value")
    }
}
