/// The protocol side of one FastCGI connection: bytes in, events out, no I/O — so it can be unit-tested and
/// fuzzed without sockets. Requests are assembled record by record (several at once when the peer multiplexes)
/// and handed out complete; management records are answered on the spot.
struct FastCGIConnectionParser {
    enum Event {
        /// A complete request (FCGI_PARAMS and FCGI_STDIN both ended).
        case request(FastCGIRequest)
        /// FCGI_ABORT_REQUEST for a request already handed out.
        case abort(requestID: UInt16)
        /// Bytes to send as they are: FCGI_GET_VALUES_RESULT, FCGI_UNKNOWN_TYPE, the END_REQUEST of a refused or
        /// aborted request.
        case reply([UInt8])
    }

    private struct Assembly {
        let requestID: UInt16
        let keepConnection: Bool
        var parameters: [UInt8] = []
        var parametersEnded = false
        var parametersTooLarge = false
        var body: [UInt8] = []
        var bodyBytes = 0
        var bodyTooLarge = false
        var bodyEnded = false
    }

    let limits: FastCGILimits
    private var pending: [UInt8] = []
    private var assemblies: [Assembly] = []
    /// Requests handed out and not yet finished (`finish(_:)`), so a reused id is recognised.
    private(set) var dispatched: [UInt16] = []

    init(limits: FastCGILimits) {
        self.limits = limits
    }

    /// Requests being received or handed out and not yet answered.
    var openRequestCount: Int { assemblies.count + dispatched.count }

    /// Bytes of an incomplete record kept for the next call.
    var bufferedByteCount: Int { pending.count }

    /// The request's answer was sent (or dropped): its id may be used again.
    mutating func finish(_ requestID: UInt16) {
        if let index = dispatched.firstIndex(of: requestID) { dispatched.remove(at: index) }
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer, into events: inout [Event]) throws(FastCGIProtocolError) {
        if pending.isEmpty {
            let used = try consumeRecords(bytes, into: &events)
            if used < bytes.count { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...])) }
        } else {
            pending.append(contentsOf: bytes)
            let buffered = pending
            var outcome: Result<Int, FastCGIProtocolError> = .success(0)
            buffered.withUnsafeBytes { raw in
                do throws(FastCGIProtocolError) { outcome = .success(try consumeRecords(raw, into: &events)) } catch { outcome = .failure(error) }
            }
            pending.removeFirst(try outcome.get())
        }
    }

    /// Handles every complete record at the start of `bytes`; returns how many bytes they took.
    private mutating func consumeRecords(_ bytes: UnsafeRawBufferPointer, into events: inout [Event]) throws(FastCGIProtocolError) -> Int {
        var offset = 0
        while bytes.count - offset >= FastCGIRecordType.headerLength {
            let header = FastCGIRecordHeader(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            guard header.version == FastCGIRecordType.version else { throw .unsupportedVersion }
            guard bytes.count - offset >= header.recordLength else { break }
            let start = offset + FastCGIRecordType.headerLength
            let content = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + header.contentLength)])
            try handle(header, content, into: &events)
            offset += header.recordLength
        }
        return offset
    }

    private mutating func handle(_ header: FastCGIRecordHeader, _ content: UnsafeRawBufferPointer,
                                 into events: inout [Event]) throws(FastCGIProtocolError) {
        guard let type = FastCGIRecordType(rawValue: header.type) else {
            // Unknown management records are answered (spec §4.2); unknown application records are ignored.
            if header.requestID == 0 {
                var out: [UInt8] = []
                FastCGIRecordEncoder.appendUnknownType(header.type, to: &out)
                events.append(.reply(out))
            }
            return
        }
        switch type {
        case .getValues:
            guard header.requestID == 0 else { return }
            events.append(.reply(try valuesResult(content)))
        case .beginRequest:
            try begin(header.requestID, content, into: &events)
        case .abortRequest:
            if let index = assemblies.firstIndex(where: { $0.requestID == header.requestID }) {
                assemblies.remove(at: index)
                var out: [UInt8] = []
                FastCGIRecordEncoder.appendEndRequest(requestID: header.requestID, status: .requestComplete, to: &out)
                events.append(.reply(out))
            } else if dispatched.contains(header.requestID) {
                events.append(.abort(requestID: header.requestID))
            }
        case .params:
            guard let index = assemblies.firstIndex(where: { $0.requestID == header.requestID }) else { return }
            try appendParameters(content, to: index, into: &events)
        case .stdin:
            guard let index = assemblies.firstIndex(where: { $0.requestID == header.requestID }) else { return }
            appendBody(content, to: index)
            try completeIfReady(index, into: &events)
        case .data, .endRequest, .stdout, .stderr, .getValuesResult, .unknownType:
            // FCGI_DATA belongs to the Filter role we refuse; the others only travel from application to server.
            return
        }
    }

    private mutating func begin(_ requestID: UInt16, _ content: UnsafeRawBufferPointer,
                                into events: inout [Event]) throws(FastCGIProtocolError) {
        guard requestID != 0 else { throw .nullRequestID }
        guard content.count >= 8 else { throw .beginRequestTooShort }
        // A BEGIN_REQUEST for an id that is still open is ignored (spec §4.1).
        if dispatched.contains(requestID) || assemblies.contains(where: { $0.requestID == requestID }) { return }
        let role = UInt16(content[0]) << 8 | UInt16(content[1])
        let refusal: FastCGIProtocolStatus?
        if role != FastCGIRecordType.responderRole {
            refusal = .unknownRole
        } else if openRequestCount >= limits.maximumRequestsPerConnection {
            refusal = .overloaded
        } else {
            refusal = nil
        }
        if let refusal {
            var out: [UInt8] = []
            FastCGIRecordEncoder.appendEndRequest(requestID: requestID, status: refusal, to: &out)
            events.append(.reply(out))
            return
        }
        assemblies.append(Assembly(requestID: requestID, keepConnection: content[2] & FastCGIRecordType.keepConnectionFlag != 0))
    }

    private mutating func appendParameters(_ content: UnsafeRawBufferPointer, to index: Int,
                                           into events: inout [Event]) throws(FastCGIProtocolError) {
        guard !assemblies[index].parametersEnded else { return }
        if content.isEmpty {
            assemblies[index].parametersEnded = true
            if assemblies[index].parametersTooLarge { assemblies[index].parameters = [] }
            let parameters = assemblies[index].parameters
            let wellFormed = parameters.withUnsafeBytes { FastCGINameValuePairs.parse($0) { _, _ in } }
            guard wellFormed else { throw .malformedParameters }
            try completeIfReady(index, into: &events)
            return
        }
        guard !assemblies[index].parametersTooLarge else { return }
        if assemblies[index].parameters.count + content.count > limits.maximumParametersSize {
            assemblies[index].parametersTooLarge = true
            assemblies[index].parameters = []
            return
        }
        assemblies[index].parameters.append(contentsOf: content)
    }

    private mutating func appendBody(_ content: UnsafeRawBufferPointer, to index: Int) {
        guard !assemblies[index].bodyEnded else { return }
        guard !content.isEmpty else {
            assemblies[index].bodyEnded = true
            return
        }
        assemblies[index].bodyBytes += content.count
        guard !assemblies[index].bodyTooLarge else { return }
        if assemblies[index].bodyBytes > limits.maximumBodySize {
            // Keep reading the stream (the connection stays usable) but drop the bytes.
            assemblies[index].bodyTooLarge = true
            assemblies[index].body = []
            return
        }
        assemblies[index].body.append(contentsOf: content)
    }

    private mutating func completeIfReady(_ index: Int, into events: inout [Event]) throws(FastCGIProtocolError) {
        let assembly = assemblies[index]
        guard assembly.parametersEnded, assembly.bodyEnded else { return }
        assemblies.remove(at: index)
        dispatched.append(assembly.requestID)
        let request = FastCGIRequest(requestID: assembly.requestID, keepConnection: assembly.keepConnection,
                                     parameterBlock: assembly.parameters, body: assembly.body)
        if assembly.parametersTooLarge {
            request.problem = .parametersTooLarge
        } else if assembly.bodyTooLarge {
            request.problem = .bodyTooLarge
        } else if let declared = request.parameter("CONTENT_LENGTH"), !declared.isEmpty {
            if declared.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let length = Int(declared) {
                if length > limits.maximumBodySize {
                    request.problem = .bodyTooLarge
                    request.body = []
                } else if length > assembly.bodyBytes {
                    request.problem = .bodyTruncated
                } else if length < request.body.count {
                    request.body.removeLast(request.body.count - length)
                }
            } else {
                request.problem = .bodyMalformed
            }
        }
        events.append(.request(request))
    }

    private func valuesResult(_ content: UnsafeRawBufferPointer) throws(FastCGIProtocolError) -> [UInt8] {
        var answers: [(name: [UInt8], value: [UInt8])] = []
        let wellFormed = FastCGINameValuePairs.parse(content) { name, _ in
            let asked = Array(content[name])
            let value: Int
            switch asked {
            case FastCGIValueName.maxConnections: value = limits.maximumConnections
            case FastCGIValueName.maxRequests: value = limits.maximumRequests
            case FastCGIValueName.multiplexesConnections: value = 1
            default: return   // unknown names are left out of the answer (spec §4.1)
            }
            // Each name is answered once: a block that repeats a name thousands of times would otherwise make an
            // answer longer than one record can hold (65,535 bytes), and the header's length would trap.
            guard !answers.contains(where: { $0.name == asked }) else { return }
            answers.append((asked, Array(String(value).utf8)))
        }
        guard wellFormed else { throw .malformedParameters }
        var out: [UInt8] = []
        FastCGIRecordEncoder.appendGetValuesResult(answers, to: &out)
        return out
    }
}
