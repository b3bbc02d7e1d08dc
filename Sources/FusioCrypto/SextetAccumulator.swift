/// The group arithmetic both Base64 decoders share (`Base64.decodeLenient`, `Base64URL.decode`): characters map to
/// alphabet values through a 256-entry table (`table(for:)`, 0xFF for a byte outside the alphabet), every four
/// values make three bytes, and `finish` writes the one or two whole bytes of an incomplete final group and returns
/// its spare bits: the lenient decoder drops them, the strict one refuses a non-zero rest.
struct SextetAccumulator {
    private var group: UInt32 = 0
    private var pending = 0

    /// A byte's value in `alphabet` (64 ASCII characters), 0xFF for every other byte.
    static func table(for alphabet: StaticString) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        alphabet.withUTF8Buffer { characters in
            for (value, character) in characters.enumerated() { table[Int(character)] = UInt8(value) }
        }
        return table
    }

    /// Adds one alphabet value (0...63); a completed group goes to `output` at `out`.
    @inline(__always)
    mutating func append(_ value: UInt8, to output: UnsafeMutableBufferPointer<UInt8>, at out: inout Int) {
        group = group << 6 | UInt32(value)
        pending += 1
        guard pending == 4 else { return }
        output[out] = UInt8(truncatingIfNeeded: group >> 16)
        output[out + 1] = UInt8(truncatingIfNeeded: group >> 8)
        output[out + 2] = UInt8(truncatingIfNeeded: group)
        out += 3
        group = 0
        pending = 0
    }

    /// Writes the whole bytes of an incomplete final group (two values make one, three make two) and returns the
    /// bits left over (all of them for a lone value).
    mutating func finish(to output: UnsafeMutableBufferPointer<UInt8>, at out: inout Int) -> UInt32 {
        defer { group = 0; pending = 0 }
        switch pending {
        case 2:
            output[out] = UInt8(truncatingIfNeeded: group >> 4)
            out += 1
            return group & 0x0F
        case 3:
            output[out] = UInt8(truncatingIfNeeded: group >> 10)
            output[out + 1] = UInt8(truncatingIfNeeded: group >> 2)
            out += 2
            return group & 0x03
        default:
            return group
        }
    }
}
