/// Builds the records the application sends. Every function appends to `out`, so a whole response becomes one
/// buffer and one write.
enum FastCGIRecordEncoder {
    /// `content` as a stream (FCGI_STDOUT) split into records of at most 65,535 bytes, without the closing empty
    /// record. Content is not padded: the spec only recommends 8-byte alignment, and web servers accept none.
    static func appendStream(_ type: FastCGIRecordType, requestID: UInt16, content: UnsafeRawBufferPointer,
                             to out: inout [UInt8]) {
        var offset = 0
        while offset < content.count {
            let length = min(FastCGIRecordType.maximumContentLength, content.count - offset)
            FastCGIRecordHeader(type: type, requestID: requestID, contentLength: length).write(to: &out)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: content[offset..<(offset + length)]))
            offset += length
        }
    }

    static func appendEndOfStream(_ type: FastCGIRecordType, requestID: UInt16, to out: inout [UInt8]) {
        FastCGIRecordHeader(type: type, requestID: requestID, contentLength: 0).write(to: &out)
    }

    static func appendEndRequest(requestID: UInt16, appStatus: UInt32 = 0, status: FastCGIProtocolStatus,
                                 to out: inout [UInt8]) {
        FastCGIRecordHeader(type: .endRequest, requestID: requestID, contentLength: 8).write(to: &out)
        out.append(UInt8(appStatus >> 24))
        out.append(UInt8((appStatus >> 16) & 0xff))
        out.append(UInt8((appStatus >> 8) & 0xff))
        out.append(UInt8(appStatus & 0xff))
        out.append(status.rawValue)
        out.append(contentsOf: [0, 0, 0] as [UInt8])
    }

    static func appendUnknownType(_ type: UInt8, to out: inout [UInt8]) {
        FastCGIRecordHeader(type: .unknownType, requestID: 0, contentLength: 8).write(to: &out)
        out.append(type)
        out.append(contentsOf: [0, 0, 0, 0, 0, 0, 0] as [UInt8])
    }

    static func appendGetValuesResult(_ pairs: [(name: [UInt8], value: [UInt8])], to out: inout [UInt8]) {
        var content: [UInt8] = []
        for pair in pairs { FastCGINameValuePairs.append(name: pair.name, value: pair.value, to: &content) }
        FastCGIRecordHeader(type: .getValuesResult, requestID: 0, contentLength: content.count).write(to: &out)
        out.append(contentsOf: content)
    }
}
