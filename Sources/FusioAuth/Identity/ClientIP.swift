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
}
