/// The bit bookkeeping of the strict decoder (`Base64URL.decode`, which checks the leftover bits): six bits in, a
/// byte out whenever eight are there. `leftover` holds the bits of an incomplete final group. The lenient decoder
/// drops those bits and decodes whole groups from a table instead.
struct SextetAccumulator {
    private(set) var leftover: UInt32 = 0
    private var bits = 0

    /// Adds one alphabet value (0...63); returns the byte it completes, if any.
    @inline(__always)
    mutating func append(_ sextet: UInt8) -> UInt8? {
        leftover = leftover << 6 | UInt32(sextet)
        bits += 6
        guard bits >= 8 else { return nil }
        bits -= 8
        let byte = UInt8(truncatingIfNeeded: leftover >> UInt32(bits))
        leftover &= (1 << UInt32(bits)) - 1
        return byte
    }
}
