#if canImport(Glibc)
import Glibc
#endif

/// A CIDR block (`127.0.0.0/8`, `::1/128`, or a single address) for `FUSIO_TRUSTED_PROXIES` and
/// `FUSIO_FIREWALL_IGNOREIP`. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) match IPv4 blocks.
public struct IPAddressRange: Sendable, Equatable, CustomStringConvertible {
    private let network: [UInt8]
    private let prefixLength: Int
    public let description: String

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(String(parts[0])) else { return nil }
        let maximum = address.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maximum).contains(value) else { return nil }
            length = value
        }
        network = address
        prefixLength = length
        description = text
    }

    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.bytes(address) else { return false }
        if bytes.count == 16, network.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        var remaining = prefixLength
        for index in 0..<bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// 4 or 16 bytes in network order, or nil when `text` is not an address.
    static func bytes(_ text: String) -> [UInt8]? {
        guard !text.utf8.contains(0) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 16)
        if buffer.withUnsafeMutableBytes({ inet_pton(AF_INET, text, $0.baseAddress) }) == 1 { return Array(buffer[0..<4]) }
        if buffer.withUnsafeMutableBytes({ inet_pton(AF_INET6, text, $0.baseAddress) }) == 1 { return buffer }
        return nil
    }

    /// Parses a comma-separated list; nil when any entry is invalid.
    public static func list(_ text: String) -> [IPAddressRange]? {
        var ranges: [IPAddressRange] = []
        for item in text.split(separator: ",") {
            let trimmed = item.filter { $0 != " " }
            guard !trimmed.isEmpty else { continue }
            guard let range = IPAddressRange(String(trimmed)) else { return nil }
            ranges.append(range)
        }
        return ranges
    }
}
