public enum HTML {
    /// Safe in element content and in quoted attribute values: `& < > " '` become entities and NUL becomes
    /// U+FFFD (what an HTML parser would make of it anyway, without relying on that).
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: needsEscaping) else { return s }
        var output: [UInt8] = []
        output.reserveCapacity(s.utf8.count + 16)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output += "&amp;".utf8
            case UInt8(ascii: "<"): output += "&lt;".utf8
            case UInt8(ascii: ">"): output += "&gt;".utf8
            case UInt8(ascii: "\""): output += "&quot;".utf8
            case UInt8(ascii: "'"): output += "&#39;".utf8
            case 0: output += "\u{FFFD}".utf8
            default: output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"), 0:
            return true
        default:
            return false
        }
    }
}
