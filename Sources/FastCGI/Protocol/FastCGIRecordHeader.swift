/// The fixed 8-byte header in front of every record.
struct FastCGIRecordHeader: Equatable {
    var version: UInt8
    /// Kept raw: an unknown type must be answered with FCGI_UNKNOWN_TYPE naming it, not rejected.
    var type: UInt8
    var requestID: UInt16
    var contentLength: Int
    var paddingLength: Int

    var recordLength: Int { FastCGIRecordType.headerLength + contentLength + paddingLength }

    /// Reads a header from the first 8 bytes of `bytes` (the caller checked there are 8).
    init(_ bytes: UnsafeRawBufferPointer) {
        version = bytes[0]
        type = bytes[1]
        requestID = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        contentLength = Int(bytes[4]) << 8 | Int(bytes[5])
        paddingLength = Int(bytes[6])
    }

    init(type: FastCGIRecordType, requestID: UInt16, contentLength: Int, paddingLength: Int = 0) {
        version = FastCGIRecordType.version
        self.type = type.rawValue
        self.requestID = requestID
        self.contentLength = contentLength
        self.paddingLength = paddingLength
    }

    func write(to out: inout [UInt8]) {
        out.append(version)
        out.append(type)
        out.append(UInt8(requestID >> 8))
        out.append(UInt8(requestID & 0xff))
        out.append(UInt8(contentLength >> 8))
        out.append(UInt8(contentLength & 0xff))
        out.append(UInt8(paddingLength))
        out.append(0)
    }
}
