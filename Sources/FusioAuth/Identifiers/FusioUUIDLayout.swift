import FusioCrypto

/// psx-fw `Uuid::generate`: lays a 40-character lowercase SHA-1 hex string out as a UUID. This is not
/// RFC 4122 — the fourth and fifth groups overlap the hash (h[17] and h[18] are each used twice) — but it
/// is what PHP Fusio stores and puts into `sub`, so it is reproduced exactly.
enum FusioUUIDLayout {
    static func format(sha1 digest: [UInt8], version: UInt8) -> String {
        let hex = Array(Hex.encode(digest).utf8)
        precondition(hex.count == 40, "FusioUUIDLayout needs a SHA-1 digest")
        let timeHigh = (parseHex(hex[12..<16]) & 0x0FFF) | UInt32(version) << 12
        let clockHigh = (parseHex(hex[16..<18]) & 0x3F) | 0x80
        var output = [UInt8]()
        output.reserveCapacity(36)
        output += hex[0..<8]
        output.append(UInt8(ascii: "-"))
        output += hex[8..<12]
        output.append(UInt8(ascii: "-"))
        // Both values always have their top nibble set (≥ 0x1000 and ≥ 0x80), so PHP's unpadded dechex
        // yields exactly 4 and 2 digits.
        output += Hex.encode([UInt8(timeHigh >> 8), UInt8(timeHigh & 0xFF)]).utf8
        output.append(UInt8(ascii: "-"))
        output += Hex.encode([UInt8(clockHigh)]).utf8
        output += hex[17..<19]
        output.append(UInt8(ascii: "-"))
        output += hex[18..<30]
        return String(decoding: output, as: UTF8.self)
    }

    private static func parseHex(_ digits: ArraySlice<UInt8>) -> UInt32 {
        digits.reduce(0) { value, digit in
            value << 4 | UInt32(digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : digit - UInt8(ascii: "a") + 10)
        }
    }
}
