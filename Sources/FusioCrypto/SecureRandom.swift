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

    /// `hex(groups:)` joined with `separator`, written into one string from one draw (a refresh token is three
    /// groups; building three strings and joining them through the generic `joined` cost ~3 k instructions).
    public static func hex(groups: [Int], separator: UInt8) -> String {
        precondition(groups.allSatisfy { $0 >= 0 }, "SecureRandom.hex: negative length")
        let random = bytes(groups.reduce(0) { $0 + ($1 + 1) / 2 })
        let length = groups.reduce(max(groups.count - 1, 0), +)
        return String(unsafeUninitializedCapacity: length) { output in
            Hex.digits.withUTF8Buffer { table in
                var source = 0, position = 0
                for (index, characters) in groups.enumerated() {
                    if index > 0 {
                        output[position] = separator
                        position += 1
                    }
                    // Two digits a byte; an odd length keeps the first digit of the last byte, as `prefix` does.
                    for digit in 0..<characters {
                        let byte = random[source + digit / 2]
                        output[position] = table[Int(digit % 2 == 0 ? byte >> 4 : byte & 0x0F)]
                        position += 1
                    }
                    source += (characters + 1) / 2
                }
                return position
            }
        }
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
