/// RFC 4648 §5 alphabet without padding, as used by JWS compact serialization.
public enum Base64URL {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let inputCount = bytes.count
        let outputCount = (inputCount / 3) * 4 + [0, 2, 3][inputCount % 3]
        return String(unsafeUninitializedCapacity: outputCount) { output in
            alphabet.withUTF8Buffer { table in
                var out = 0
                var iterator = bytes.makeIterator()
                while let b0 = iterator.next() {
                    let b1 = iterator.next()
                    let b2 = b1 == nil ? nil : iterator.next()
                    output[out] = table[Int(b0 >> 2)]
                    output[out + 1] = table[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)]
                    out += 2
                    guard let b1 else { break }
                    output[out] = table[Int((b1 & 0x0F) << 2 | (b2 ?? 0) >> 6)]
                    out += 1
                    guard let b2 else { break }
                    output[out] = table[Int(b2 & 0x3F)]
                    out += 1
                }
            }
            return outputCount
        }
    }

    /// Strict: any character outside the URL-safe alphabet (including `=` padding and whitespace), a length
    /// that cannot come from whole bytes, or non-zero leftover bits make the input invalid. Rejecting the
    /// leftover bits keeps the encoding canonical, so one signature has exactly one textual form.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        let utf8 = string.utf8
        let count = utf8.count
        if count % 4 == 1 { return nil }
        var output = [UInt8]()
        output.reserveCapacity(count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in utf8 {
            guard let value = sextet(character) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }
        return output
    }

    @inline(__always)
    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
