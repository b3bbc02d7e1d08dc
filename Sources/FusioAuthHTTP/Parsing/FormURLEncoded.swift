import FusioAuth

/// `application/x-www-form-urlencoded`, strict on input (a broken escape is an error rather than PHP's
/// pass-through, since no well-behaved client sends one) and PHP-compatible on output.
public enum FormURLEncoded {
    /// Pairs in body order, duplicates included; `RequestParameters` decides what duplicates mean. Empty
    /// segments (`&&`) are skipped.
    public static func parse(
        _ body: some Collection<UInt8>
    ) throws(RequestParameterError) -> [(name: String, value: String)] {
        // One pass over the bytes in place: splitting into an array of slices first cost as much as decoding.
        try Array(body).withUnsafeBufferPointer { bytes throws(RequestParameterError) in try parse(bytes) }
    }

    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>
    ) throws(RequestParameterError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        // Token and login requests send two to five pairs: one allocation instead of growing twice.
        pairs.reserveCapacity(8)
        var start = 0
        while start < bytes.count {
            var end = start
            var equals: Int?
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") {
                if equals == nil, bytes[end] == UInt8(ascii: "=") { equals = end }
                end += 1
            }
            if end > start {
                let nameEnd = equals ?? end
                let valueStart = equals.map { $0 + 1 } ?? end
                pairs.append((name: try decode(UnsafeBufferPointer(rebasing: bytes[start..<nameEnd])),
                              value: try decode(UnsafeBufferPointer(rebasing: bytes[valueStart..<end]))))
            }
            start = end + 1
        }
        return pairs
    }

    /// Like PHP's `http_build_query` (RFC 1738 flavour): space becomes `+`, only `A-Z a-z 0-9 - _ .` stay as they
    /// are, everything else is `%XX` in upper case.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(RequestParameterError) -> String {
        // Most names and values (`grant_type=client_credentials`) have nothing to unescape.
        if !bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) {
            guard let text = StrictUTF8.string(bytes) else { throw .invalidEncoding }
            return text
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else { throw .invalidEncoding }
                output.append(high << 4 | low)
                index += 3
            default:
                output.append(byte)
                index += 1
            }
        }
        guard let text = StrictUTF8.string(output[...]) else { throw .invalidEncoding }
        return text
    }

    private static func escape(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                output.append(byte)
            case UInt8(ascii: " "):
                output.append(UInt8(ascii: "+"))
            default:
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
