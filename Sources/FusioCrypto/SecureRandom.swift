import COpenSSL

public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom.bytes: count out of range")
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                // Handing out predictable secrets would be worse than stopping the process.
                guard RAND_bytes(buffer.baseAddress, Int32(count)) == 1 else {
                    fatalError("OpenSSL RAND_bytes failed: CSPRNG unavailable")
                }
            }
            initialized = count
        }
    }

    /// Fusio's `gen(n)` keeps the first n characters of `bin2hex(random_bytes(n))`, so only ⌈n/2⌉ bytes
    /// ever reach the output; drawing just those gives the identical distribution.
    public static func hex(_ characters: Int) -> String {
        hex(groups: [characters])[0]
    }

    /// `hex(n)` for each length, from one draw: every `RAND_bytes` call has a fixed cost (a fork check
    /// through `getpid`, the DRBG lookup) that dominates for the few bytes a token needs.
    public static func hex(groups: [Int]) -> [String] {
        precondition(groups.allSatisfy { $0 >= 0 }, "SecureRandom.hex: negative length")
        let random = bytes(groups.reduce(0) { $0 + ($1 + 1) / 2 })
        var offset = 0
        return groups.map { characters in
            let count = (characters + 1) / 2
            defer { offset += count }
            let encoded = Hex.encode(random[offset..<offset + count])
            return characters % 2 == 0 ? encoded : String(encoded.prefix(characters))
        }
    }
}
