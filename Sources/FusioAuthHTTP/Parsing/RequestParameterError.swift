/// Why a request's parameters could not be read. Parameter values never appear here: they include passwords,
/// secrets and codes, and these errors are logged and returned to clients.
public enum RequestParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not the expected structure; the reason is a fixed text or a parser position.
    case malformedBody(String)
    /// A broken `%XX` escape, or bytes that are not UTF-8 after decoding.
    case invalidEncoding
    /// RFC 6749 §3.1 and §3.2: a parameter must not be sent more than once.
    case duplicateParameter(String)
    /// A JSON member whose type has no parameter form (nested object, float, array of non-strings).
    case unsupportedValue(String)

    public var description: String {
        switch self {
        case .malformedBody(let reason): "malformed request body: \(reason)"
        case .invalidEncoding: "invalid percent-encoding or UTF-8 in request parameters"
        case .duplicateParameter(let name): "parameter \(Self.printable(name)) given more than once"
        case .unsupportedValue(let name): "parameter \(Self.printable(name)) has an unsupported type"
        }
    }

    /// Names come from the client; keep log lines to one line of bounded length.
    private static func printable(_ name: String) -> String {
        let bytes = name.utf8.prefix(64).map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }
        let suffix = name.utf8.count > 64 ? "…" : ""
        return "'" + String(decoding: bytes, as: UTF8.self) + suffix + "'"
    }
}
