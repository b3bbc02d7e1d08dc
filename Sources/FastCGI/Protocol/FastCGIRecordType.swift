import CFastCGI

/// Record types of FastCGI 1.0 (libfcgi's `fastcgi.h`).
public enum FastCGIRecordType: UInt8, Sendable {
    case beginRequest = 1
    case abortRequest = 2
    case endRequest = 3
    case params = 4
    case stdin = 5
    case stdout = 6
    case stderr = 7
    case data = 8
    case getValues = 9
    case getValuesResult = 10
    case unknownType = 11

    static let version = UInt8(FCGI_VERSION_1)
    static let headerLength = Int(FCGI_HEADER_LEN)
    static let maximumContentLength = Int(FCGI_MAX_LENGTH)
    static let keepConnectionFlag = UInt8(FCGI_KEEP_CONN)
    static let responderRole = UInt16(FCGI_RESPONDER)
}

/// `protocolStatus` of FCGI_END_REQUEST.
enum FastCGIProtocolStatus: UInt8 {
    case requestComplete = 0
    case cannotMultiplex = 1
    case overloaded = 2
    case unknownRole = 3
}

/// The three variables FCGI_GET_VALUES may ask for.
enum FastCGIValueName {
    static let maxConnections = Array(FCGI_MAX_CONNS.utf8)
    static let maxRequests = Array(FCGI_MAX_REQS.utf8)
    static let multiplexesConnections = Array(FCGI_MPXS_CONNS.utf8)
}
