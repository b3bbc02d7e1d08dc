public enum Base64 {
    /// RFC 4648 §4 with padding: the URL-safe encoding with the standard alphabet's last two characters.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = String(Base64URL.encode(bytes).map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while text.utf8.count % 4 != 0 { text += "=" }
        return text
    }

    /// Mirrors PHP 8 `base64_decode($s)` without `$strict`: every byte outside the standard alphabet is
    /// skipped, `=` is skipped as well (PHP 8 keeps decoding after it, so "YQ==YQ==" yields three bytes), and
    /// bits left over from an incomplete final group are dropped. It never fails. Basic credentials must decode
    /// to the same bytes PHP Fusio sees, otherwise a client that works against PHP could fail here or vice versa.
    public static func decodeLenient(_ s: some StringProtocol) -> [UInt8] {
        ContiguousBytes.with(s.utf8) { decodeLenient(bytes: $0) }
    }

    /// `decodeLenient` of bytes already at hand (a header being parsed), without a string in between.
    /// Every token request with Basic credentials runs this: a table look-up per character and three bytes per
    /// four values (a byte per branchy step cost ~60 instructions a character).
    public static func decodeLenient(bytes input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: input.count * 3 / 4) { output, initialized in
            sextets.withUnsafeBufferPointer { table in
                var group: UInt32 = 0, pending = 0, out = 0
                for character in input {
                    let value = table[Int(character)]
                    guard value < 64 else { continue }
                    group = group << 6 | UInt32(value)
                    pending += 1
                    guard pending == 4 else { continue }
                    output[out] = UInt8(truncatingIfNeeded: group >> 16)
                    output[out + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    output[out + 2] = UInt8(truncatingIfNeeded: group)
                    out += 3
                    group = 0
                    pending = 0
                }
                // Two or three values left make one or two whole bytes; their spare low bits are dropped.
                if pending == 2 {
                    output[out] = UInt8(truncatingIfNeeded: group >> 4)
                    out += 1
                } else if pending == 3 {
                    output[out] = UInt8(truncatingIfNeeded: group >> 10)
                    output[out + 1] = UInt8(truncatingIfNeeded: group >> 2)
                    out += 2
                }
                initialized = out
            }
        }
    }

    /// The value of each byte in the standard alphabet, 0xFF for every byte PHP skips.
    private static let sextets: [UInt8] = (0...255).map { character in
        switch UInt8(character) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt8(character) - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt8(character) - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(character) - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: 0xFF
        }
    }
}
