public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom.bytes: count out of range")
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { RandomPool.fill(buffer.baseAddress!, count: count) }
            initialized = count
        }
    }

    /// Fusio's `gen(n)` keeps the first n characters of `bin2hex(random_bytes(n))`, so only ⌈n/2⌉ bytes
    /// ever reach the output; drawing just those gives the identical distribution.
    public static func hex(_ characters: Int) -> String {
        hex(groups: [characters])[0]
    }

    /// `hex(n)` for each length, from one draw.
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
