@testable import FastCGI
import Testing

/// What the suites share: record streams as a web server writes them (byte by byte here, not through the module's
/// own encoder, so a bug on both sides cannot cancel out), a decoder for what the module writes, and a parser driver.
enum Records {
    static let beginRequest: UInt8 = 1, abortRequest: UInt8 = 2, endRequest: UInt8 = 3, params: UInt8 = 4,
               stdin: UInt8 = 5, stdout: UInt8 = 6, data: UInt8 = 8, getValues: UInt8 = 9,
               getValuesResult: UInt8 = 10, unknownType: UInt8 = 11

    static func record(_ type: UInt8, id: UInt16, _ content: [UInt8] = [], padding: [UInt8] = [],
                       version: UInt8 = 1) -> [UInt8] {
        precondition(content.count <= 65535 && padding.count <= 255)
        return [version, type, UInt8(id >> 8), UInt8(id & 0xff), UInt8(content.count >> 8), UInt8(content.count & 0xff),
                UInt8(padding.count), 0] + content + padding
    }

    static func begin(id: UInt16, role: UInt16 = 1, keepConnection: Bool = false) -> [UInt8] {
        record(beginRequest, id: id, [UInt8(role >> 8), UInt8(role & 0xff), keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
    }

    /// A name-value length: one byte below 128, else four with the top bit set.
    private static func length(_ count: Int) -> [UInt8] {
        count < 128 ? [UInt8(count)]
            : [UInt8(count >> 24) | 0x80, UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
    }

    /// A name-value block.
    static func pairs(_ pairs: [(String, String)]) -> [UInt8] {
        pairs.flatMap { length($0.0.utf8.count) + length($0.1.utf8.count) + Array($0.0.utf8) + Array($0.1.utf8) }
    }

    /// `content` as stream records of at most `piece` bytes each, then the empty record that ends the stream.
    static func stream(_ type: UInt8, id: UInt16, _ content: [UInt8], piece: Int = 65535) -> [UInt8] {
        stride(from: 0, to: content.count, by: piece).flatMap {
            record(type, id: id, Array(content[$0..<min($0 + piece, content.count)]))
        } + record(type, id: id)
    }

    /// A whole request: BEGIN_REQUEST, the parameters split into records of `piece` bytes, STDIN likewise.
    static func request(id: UInt16 = 1, keepConnection: Bool = true, _ parameters: [(String, String)],
                        body: [UInt8] = [], piece: Int = 65535) -> [UInt8] {
        begin(id: id, keepConnection: keepConnection) + stream(params, id: id, pairs(parameters), piece: piece)
            + stream(stdin, id: id, body, piece: piece)
    }

    static func abort(id: UInt16) -> [UInt8] { record(abortRequest, id: id) }

    static func getValues(_ names: [String]) -> [UInt8] {
        record(getValues, id: 0, pairs(names.map { ($0, "") }))
    }
}

struct DecodedRecord: Equatable {
    var type: UInt8
    var requestID: UInt16
    var content: [UInt8]

    /// FCGI_END_REQUEST's body: appStatus and protocolStatus.
    var endRequest: (appStatus: UInt32, protocolStatus: UInt8)? {
        guard type == Records.endRequest, content.count == 8 else { return nil }
        let appStatus = content[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return (appStatus, content[4])
    }

    /// The pairs of a GET_VALUES_RESULT, as strings.
    var valuePairs: [String: String]? {
        var result: [String: String] = [:]
        let wellFormed = content.withUnsafeBytes { raw in
            FastCGINameValuePairs.parse(raw) { name, value in
                result[String(decoding: raw[name], as: UTF8.self)] = String(decoding: raw[value], as: UTF8.self)
            }
        }
        return wellFormed ? result : nil
    }
}

/// Splits `bytes` into records; fails the test unless they are version 1 records that use every byte exactly.
func decodeRecords(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> [DecodedRecord] {
    var records: [DecodedRecord] = []
    var offset = 0
    while offset < bytes.count {
        guard bytes.count - offset >= 8, bytes[offset] == 1 else {
            Issue.record("no record header at offset \(offset)", sourceLocation: sourceLocation)
            return records
        }
        let length = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
        let end = offset + 8 + length + Int(bytes[offset + 6])
        guard end <= bytes.count else {
            Issue.record("record at offset \(offset) runs past the end", sourceLocation: sourceLocation)
            return records
        }
        records.append(DecodedRecord(type: bytes[offset + 1], requestID: UInt16(bytes[offset + 2]) << 8 | UInt16(bytes[offset + 3]),
                                     content: Array(bytes[(offset + 8)..<(offset + 8 + length)])))
        offset = end
    }
    return records
}

extension FastCGIConnectionParser {
    init(bodyLimit: Int = 64 * 1024, parametersLimit: Int = 64 * 1024, requestsPerConnection: Int = 8) {
        self.init(limits: FastCGILimits(maximumBodySize: bodyLimit, maximumParametersSize: parametersLimit,
                                        maximumRequestsPerConnection: requestsPerConnection,
                                        maximumConnections: 12, maximumRequests: 34))
    }

    /// Feeds `bytes` in pieces of `chunk` bytes and returns every event; `afterEachPiece` sees the parser in between.
    mutating func feed(_ bytes: [UInt8], chunk: Int = .max, afterEachPiece: (Self) -> Void = { _ in }) throws -> [Event] {
        var events: [Event] = []
        for start in stride(from: 0, to: bytes.count, by: max(chunk, 1)) {
            let piece = Array(bytes[start..<min(start + chunk, bytes.count)])
            try piece.withUnsafeBytes { try consume($0, into: &events) }
            afterEachPiece(self)
        }
        return events
    }
}

extension FastCGIConnectionParser.Event {
    var request: FastCGIRequest? { if case .request(let request) = self { request } else { nil } }
    var abortedID: UInt16? { if case .abort(let id) = self { id } else { nil } }
    var reply: [UInt8]? { if case .reply(let bytes) = self { bytes } else { nil } }
}

extension [FastCGIConnectionParser.Event] {
    var requests: [FastCGIRequest] { compactMap(\.request) }
    /// Every `.reply`, decoded.
    var replies: [DecodedRecord] { compactMap(\.reply).flatMap { decodeRecords($0) } }
}

extension FastCGIRequest {
    convenience init(id: UInt16, enqueuedAt: Int64 = 0) {
        self.init(requestID: id, keepConnection: true, parameterBlock: [], body: [])
        self.enqueuedAt = enqueuedAt
    }
}
