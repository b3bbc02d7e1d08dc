/// Splits a migration script into single statements for the text protocol (the connection does not
/// enable CLIENT_MULTI_STATEMENTS, so the server accepts one statement per query).
///
/// Splits on `;` outside of '…', "…" and `…` quotes (backslash escapes and doubled quote characters
/// inside them) and outside of `-- ` / `#` line comments and `/* … */` block comments. Comments stay in
/// the statement text (MariaDB ignores them, and `/*! … */` executable comments keep working).
/// Statements containing nothing but whitespace and comments are skipped. There is no DELIMITER
/// support, so stored-program bodies with inner `;` cannot be expressed.
enum SQLScriptSplitter {
    static func statements(in script: String) -> [String] {
        let bytes = Array(script.utf8)
        var statements: [String] = []
        var start = 0
        var hasContent = false  // anything besides whitespace and comments since `start`
        var index = 0

        func finishStatement(endingAt end: Int) {
            if hasContent {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                statements.append(text.trimmingWhitespace())
            }
            hasContent = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                hasContent = true
                index = endOfQuoted(bytes, from: index)
            case UInt8(ascii: "#"):
                index = endOfLine(bytes, from: index)
            case UInt8(ascii: "-")
                where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-")
                && (index + 2 == bytes.count || isWhitespaceOrControl(bytes[index + 2])):
                // MariaDB needs whitespace (or end of input) after "--" for it to start a comment:
                // "1--1" is arithmetic.
                index = endOfLine(bytes, from: index)
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                // "/*!" and "/*M!" comments are executed by the server: they count as content.
                if index + 2 < bytes.count && (bytes[index + 2] == UInt8(ascii: "!") || bytes[index + 2] == UInt8(ascii: "M")) {
                    hasContent = true
                }
                index = endOfBlockComment(bytes, from: index)
            case UInt8(ascii: ";"):
                finishStatement(endingAt: index)
                index += 1
                start = index
            default:
                if !isWhitespaceOrControl(byte) {
                    hasContent = true
                }
                index += 1
            }
        }
        finishStatement(endingAt: bytes.count)
        return statements
    }

    /// Index just past the closing quote (or the end of input for an unterminated literal, which the
    /// server will then reject).
    private static func endOfQuoted(_ bytes: [UInt8], from opening: Int) -> Int {
        let quote = bytes[opening]
        var index = opening + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") && quote != UInt8(ascii: "`") {
                index += 2  // backslash escapes the next byte inside string literals
                continue
            }
            if byte == quote {
                if index + 1 < bytes.count && bytes[index + 1] == quote {
                    index += 2  // doubled quote is an escaped quote
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return bytes.count
    }

    private static func endOfLine(_ bytes: [UInt8], from index: Int) -> Int {
        var index = index
        while index < bytes.count && bytes[index] != UInt8(ascii: "\n") {
            index += 1
        }
        return index
    }

    private static func endOfBlockComment(_ bytes: [UInt8], from opening: Int) -> Int {
        var index = opening + 2
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/") {
                return index + 2
            }
            index += 1
        }
        return bytes.count
    }

    private static func isWhitespaceOrControl(_ byte: UInt8) -> Bool {
        byte <= 0x20
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 > 0x20 }),
              let last = utf8.lastIndex(where: { $0 > 0x20 })
        else { return "" }
        return String(self[first...last])
    }
}
