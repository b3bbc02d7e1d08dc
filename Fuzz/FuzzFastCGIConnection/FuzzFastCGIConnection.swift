@_spi(Fuzzing) import FastCGI
import FuzzSupport

// libFuzzer target: the FastCGI record layer, fed what a web server writes on one connection. The first byte sets
// the read size (1 to 256 bytes; the rest of the input arrives in pieces of that size), so record boundaries fall
// anywhere in a read. Any input must be parsed or refused with a `FastCGIProtocolError`, never crash, and after
// every piece:
//   - less than one record is buffered, and no more requests are open than `maximumRequestsPerConnection`;
//   - a request handed out has an id that is not 0 and not open already, a body within `maximumBodySize` (empty
//     when flagged too large, exactly CONTENT_LENGTH long when not flagged), parameters within
//     `maximumParametersSize` (none when flagged too large);
//   - an `.abort` names a request handed out and not finished;
//   - a `.reply` is whole records: END_REQUEST (id not 0), GET_VALUES_RESULT (id 0, each of the three known names
//     at most once, with the configured figure), UNKNOWN_TYPE (id 0).
// The requests handed out during a piece are finished after it, so an abort or an overload within a piece meets
// them still open.

private let limits = FastCGILimits(maximumBodySize: 64, maximumParametersSize: 96, maximumRequestsPerConnection: 3,
                                   maximumConnections: 5, maximumRequests: 7)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let readSize = Int(data[0]) + 1
    let stream = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var probe = FastCGIParserProbe(limits: limits)
    var dispatched: Set<UInt16> = []
    var offset = 0
    while offset < stream.count {
        let piece = UnsafeRawBufferPointer(rebasing: stream[offset..<min(offset + readSize, stream.count)])
        offset += piece.count
        let (events, error) = probe.consume(piece)
        for event in events {
            switch event {
            case .request(let request):
                check(request)
                precondition(dispatched.insert(request.requestID).inserted, "request id handed out twice")
            case .abort(let requestID):
                precondition(dispatched.contains(requestID), "abort for a request not handed out")
            case .reply(let bytes):
                checkReply(bytes)
            }
        }
        if error != nil { return 0 }
        precondition(probe.bufferedByteCount < FastCGIParserProbe.maximumRecordLength, "more than a record buffered")
        precondition(probe.openRequestCount <= limits.maximumRequestsPerConnection, "too many open requests")
        precondition(probe.openRequestCount >= dispatched.count, "a request handed out is not counted open")
        for requestID in dispatched { probe.finish(requestID) }
        dispatched.removeAll()
    }
    return 0
}

private func check(_ request: FastCGIRequest) {
    precondition(request.requestID != 0, "request id 0")
    precondition(request.body.count <= limits.maximumBodySize, "body over the limit")
    var parameterBytes = 0
    request.forEachParameter { name, value in parameterBytes += name.count + value.count }
    precondition(parameterBytes <= limits.maximumParametersSize, "parameters over the limit")
    switch request.problem {
    case .bodyTooLarge: precondition(request.body.isEmpty, "a body too large was kept")
    case .parametersTooLarge: precondition(parameterBytes == 0, "parameters too large were kept")
    case nil:
        if let declared = request.parameter("CONTENT_LENGTH"), !declared.isEmpty {
            precondition(Int(declared) == request.body.count, "body length differs from CONTENT_LENGTH")
        }
    case .bodyTruncated, .bodyMalformed: break
    }
}

/// Known names of FCGI_GET_VALUES and the figures `limits` makes them.
private let values = ["FCGI_MAX_CONNS": "\(limits.maximumConnections)", "FCGI_MAX_REQS": "\(limits.maximumRequests)",
                      "FCGI_MPXS_CONNS": "1"]

private func checkReply(_ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        precondition(bytes.count - offset >= 8 && bytes[offset] == 1, "reply: no record header")
        let type = bytes[offset + 1]
        let requestID = UInt16(bytes[offset + 2]) << 8 | UInt16(bytes[offset + 3])
        let length = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
        let content = offset + 8..<(offset + 8 + length)
        offset = content.upperBound + Int(bytes[offset + 6])
        precondition(offset <= bytes.count, "reply: record runs past the end")
        switch type {
        case 3: precondition(requestID != 0 && length == 8, "reply: bad END_REQUEST")
        case 11: precondition(requestID == 0 && length == 8, "reply: bad UNKNOWN_TYPE")
        case 10:
            precondition(requestID == 0, "reply: GET_VALUES_RESULT with a request id")
            checkValues(Array(bytes[content]))
        default: preconditionFailure("reply: record type \(type)")
        }
    }
}

private func checkValues(_ block: [UInt8]) {
    var index = 0
    var seen: Set<String> = []
    func length() -> Int {
        precondition(index < block.count, "GET_VALUES_RESULT: length missing")
        guard block[index] & 0x80 != 0 else { index += 1; return Int(block[index - 1]) }
        precondition(block.count - index >= 4, "GET_VALUES_RESULT: 4-byte length truncated")
        defer { index += 4 }
        return block[index..<(index + 4)].reduce(0) { $0 << 8 | Int($1) } & 0x7fff_ffff
    }
    while index < block.count {
        let nameLength = length(), valueLength = length()
        precondition(block.count - index >= nameLength + valueLength, "GET_VALUES_RESULT: pair runs past the end")
        let name = String(decoding: block[index..<(index + nameLength)], as: UTF8.self)
        let value = String(decoding: block[(index + nameLength)..<(index + nameLength + valueLength)], as: UTF8.self)
        index += nameLength + valueLength
        precondition(values[name] == value, "GET_VALUES_RESULT: \(name)=\(value)")
        precondition(seen.insert(name).inserted, "GET_VALUES_RESULT: \(name) twice")
    }
}

#if FUSIO_FUZZ
/// SwiftPM links an executable's `main` to `<module>_main` (`--defsym main=FuzzFastCGIConnection_main` on Linux).
@_cdecl("FuzzFastCGIConnection_main")
public func libFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzMain.libFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}
#else
@main
enum Replay {
    static func main() { FuzzMain.replay { data, size in fuzz(data!, size) } }
}
#endif
