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
    public static func decodeLenient(bytes input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: input.count * 3 / 4) { output, initialized in
            var accumulator = SextetAccumulator()
            var out = 0
            for character in input {
                guard let value = sextet(character), let byte = accumulator.append(value) else { continue }
                output[out] = byte
                out += 1
            }
            initialized = out
        }
    }

    @inline(__always)
    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
