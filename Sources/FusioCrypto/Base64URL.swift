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
            var valid = true
            var spare: UInt32 = 0
            let output = [UInt8](unsafeUninitializedCapacity: input.count * 3 / 4) { output, initialized in
                sextets.withUnsafeBufferPointer { table in
                    var accumulator = SextetAccumulator()
                    var out = 0
                    for character in input {
                        let value = table[Int(character)]
                        guard value < 64 else {
                            valid = false
                            break
                        }
                        accumulator.append(value, to: output, at: &out)
                    }
                    spare = accumulator.finish(to: output, at: &out)
                    initialized = out
                }
            }
            guard valid, spare == 0 else { return nil }
            return output
        }
    }

    private static let sextets = SextetAccumulator.table(for: alphabet)
}
