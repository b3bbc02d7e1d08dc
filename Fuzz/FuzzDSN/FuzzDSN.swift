import FuzzSupport
import FusioAuth

// libFuzzer target: `APP_CONNECTION` values. `DatabaseLocation.parse` must return a location or a
// `ConfigurationError` for every string, never crash; an accepted DSN must have the parts the connection needs,
// and its `description` (which logs print) must mask the password.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for dsn in [text, "pdo-mysql://" + text] {
        guard let location = try? DatabaseLocation.parse(dsn) else { continue }
        precondition(!location.user.isEmpty && !location.host.isEmpty && !location.database.isEmpty,
                     "accepted a DSN without user, host or database")
        precondition(location.port.map { (1...65535).contains($0) } ?? true, "accepted a port out of range")
        let shown = location.description + location.debugDescription
        precondition(containsBytes(shown, ":****@"), "description does not mask the password")
        var masked = location
        masked.password = "****"
        precondition(shown == masked.description + masked.debugDescription,
                     "description depends on the password")
    }
    return 0
}

/// Byte-wise: `String.contains` matches whole characters, and a combining mark after the `@` would hide it.
private func containsBytes(_ text: String, _ needle: String) -> Bool {
    let haystack = Array(text.utf8), pattern = Array(needle.utf8)
    guard haystack.count >= pattern.count else { return false }
    return (0...(haystack.count - pattern.count)).contains { haystack[$0..<($0 + pattern.count)].elementsEqual(pattern) }
}

#if FUSIO_FUZZ
/// SwiftPM links an executable's `main` to `<module>_main` (`--defsym main=FuzzDSN_main` on Linux).
@_cdecl("FuzzDSN_main")
public func libFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzMain.libFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}
#else
@main
enum Replay {
    static func main() { FuzzMain.replay { data, size in fuzz(data!, size) } }
}
#endif
