/// RFC 4648 §5 alphabet without padding, as used by JWS compact serialization.
public enum Base64URL {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        // Working on a concrete buffer keeps the loop specialised even though callers are in other modules.
        ContiguousBytes.with(bytes) { input in
            let fullGroups = input.count / 3
            let remainder = input.count % 3
            let outputCount = fullGroups * 4 + (remainder == 0 ? 0 : remainder + 1)
            return String(unsafeUninitializedCapacity: outputCount) { output in
                alphabet.withUTF8Buffer { table in
                    var out = 0
                    for group in 0..<fullGroups {
                        let b0 = input[group * 3], b1 = input[group * 3 + 1], b2 = input[group * 3 + 2]
                        output[out] = table[Int(b0 >> 2)]
                        output[out + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                        output[out + 2] = table[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                        output[out + 3] = table[Int(b2 & 0x3F)]
                        out += 4
                    }
                    if remainder > 0 {
                        let b0 = input[fullGroups * 3]
                        let b1: UInt8 = remainder == 2 ? input[fullGroups * 3 + 1] : 0
                        output[out] = table[Int(b0 >> 2)]
                        output[out + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                        if remainder == 2 { output[out + 2] = table[Int((b1 & 0x0F) << 2)] }
                    }
                }
                return outputCount
            }
        }
    }

    /// Strict: any character outside the URL-safe alphabet (including `=` padding and whitespace), a length
    /// that cannot come from whole bytes, or non-zero leftover bits make the input invalid. Rejecting the
    /// leftover bits keeps the encoding canonical, so one signature has exactly one textual form.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        ContiguousBytes.with(string.utf8) { input -> [UInt8]? in
            if input.count % 4 == 1 { return nil }
            var accumulator = SextetAccumulator()
            var valid = true
            let output = [UInt8](unsafeUninitializedCapacity: input.count * 3 / 4) { output, initialized in
                var out = 0
                for character in input {
                    guard let value = sextet(character) else {
                        valid = false
                        break
                    }
                    if let byte = accumulator.append(value) {
                        output[out] = byte
                        out += 1
                    }
                }
                initialized = out
            }
            guard valid, accumulator.leftover == 0 else { return nil }
            return output
        }
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
