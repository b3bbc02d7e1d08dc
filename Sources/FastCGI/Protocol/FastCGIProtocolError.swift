/// The peer broke the FastCGI protocol; the connection is closed (there is no way to resynchronise a byte
/// stream whose record boundaries are lost).
public struct FastCGIProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    init(_ reason: String) { self.reason = reason }

    public var description: String { "FastCGI protocol error: \(reason)" }

    static let unsupportedVersion = FastCGIProtocolError("unsupported record version")
    static let beginRequestTooShort = FastCGIProtocolError("FCGI_BEGIN_REQUEST shorter than 8 bytes")
    static let nullRequestID = FastCGIProtocolError("application record with request id 0")
    static let malformedParameters = FastCGIProtocolError("malformed name-value pairs")
}
