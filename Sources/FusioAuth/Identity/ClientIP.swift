#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks addresses before they are trusted from a header. Fusio itself takes a trusted header verbatim
/// (§6.4), so this is only for the places where this service chooses to be stricter.
public enum ClientIP {
    /// Accepts the textual forms `inet_pton` accepts: dotted-quad IPv4 and IPv6 without a zone index.
    public static func isValid(_ s: String) -> Bool {
        // An embedded NUL would make inet_pton see a shorter string than the one we were given.
        guard !s.utf8.contains(0) else { return false }
        var buffer = [UInt8](repeating: 0, count: 16)
        return buffer.withUnsafeMutableBytes { raw in
            inet_pton(AF_INET, s, raw.baseAddress) == 1 || inet_pton(AF_INET6, s, raw.baseAddress) == 1
        }
    }

    /// The address in its shortest standard text (`inet_ntop`), or nil when `s` is not an address. Every IPv6
    /// address then fits Fusio's VARCHAR(39) `ip` columns: a long spelling such as
    /// `0000:0000:0000:0000:0000:ffff:192.0.2.1` (45 characters) becomes `::ffff:192.0.2.1`.
    public static func canonical(_ s: String) -> String? {
        guard !s.utf8.contains(0) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 16)
        var text = [CChar](repeating: 0, count: 64)
        for family in [AF_INET, AF_INET6] {
            let parsed = buffer.withUnsafeMutableBytes { inet_pton(family, s, $0.baseAddress) }
            guard parsed == 1 else { continue }
            let printed = buffer.withUnsafeBytes { raw in
                text.withUnsafeMutableBufferPointer { inet_ntop(family, raw.baseAddress, $0.baseAddress, socklen_t(64)) }
            }
            guard printed != nil else { return nil }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }
}
