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
                var accumulator = SextetAccumulator()
                var out = 0
                for character in input {
                    let value = table[Int(character)]
                    if value < 64 { accumulator.append(value, to: output, at: &out) }
                }
                _ = accumulator.finish(to: output, at: &out)    // spare bits of a final group: dropped
                initialized = out
            }
        }
    }

    /// The standard alphabet; every other byte is skipped, as by PHP.
    private static let sextets = SextetAccumulator.table(
        for: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
