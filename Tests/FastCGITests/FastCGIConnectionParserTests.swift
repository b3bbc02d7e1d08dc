@testable import FastCGI
import Testing

/// Request assembly: records in, one complete request out.
@Suite struct FastCGIConnectionParserTests {
    static let parameters = [
        ("REQUEST_METHOD", "POST"), ("SCRIPT_NAME", "/authorization/token"), ("CONTENT_LENGTH", "11"),
        ("HTTP_X_LONG", String(repeating: "x", count: 300)), ("EMPTY", ""), ("REQUEST_METHOD", "PUT"),
    ]
    static let body = Array("grant=x&y=z".utf8)

    /// BEGIN with KEEP_CONN, PARAMS in records of 7 bytes, the empty PARAMS, STDIN in records of 3, the empty STDIN.
    static let stream = Records.request(keepConnection: true, parameters, body: body, piece: 7)

    private func expectTheRequest(_ events: [FastCGIConnectionParser.Event]) throws {
        #expect(events.count == 1)
        let request = try #require(events.first?.request)
        #expect(request.requestID == 1)
        #expect(request.keepConnection)
        #expect(request.problem == nil)
        #expect(request.body == Self.body)
        #expect(request.parameter("SCRIPT_NAME") == "/authorization/token")
        #expect(request.parameter("HTTP_X_LONG") == String(repeating: "x", count: 300))
        #expect(request.parameter("EMPTY") == "")
        #expect(request.parameter("MISSING") == nil)
        #expect(request.parameter("REQUEST_METHOD") == "PUT", "the last of a repeated name wins")
        var visited: [(String, String)] = []
        request.forEachParameter { visited.append((String(decoding: $0, as: UTF8.self), String(decoding: $1, as: UTF8.self))) }
        #expect(visited.map(\.0) == Self.parameters.map(\.0))
        #expect(visited.map(\.1) == Self.parameters.map(\.1))
    }

    @Test func assemblesARequestFromManyRecords() throws {
        #expect(Self.stream.count > 20 * 8, "the stream really is split into many records")
        var parser = FastCGIConnectionParser()
        try expectTheRequest(try parser.feed(Self.stream))
        #expect(parser.bufferedByteCount == 0)
        #expect(parser.openRequestCount == 1, "handed out, not yet finished")
    }

    @Test(arguments: [1, 2, 5, 8, 9, 13])
    func sameRequestFedInPieces(chunk: Int) throws {
        var parser = FastCGIConnectionParser()
        try expectTheRequest(try parser.feed(Self.stream, chunk: chunk))
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func keepConnectionFlagOff() throws {
        var parser = FastCGIConnectionParser()
        let events = try parser.feed(Records.request(keepConnection: false, [("A", "b")]))
        let request = try #require(events.requests.first)
        #expect(!request.keepConnection)
        #expect(request.body.isEmpty)
    }

    @Test func requestWaitsForBothStreamsToEnd() throws {
        var parser = FastCGIConnectionParser()
        var events = try parser.feed(Records.begin(id: 1) + Records.stream(Records.stdin, id: 1, [1, 2]))
        events += try parser.feed(Records.record(Records.params, id: 1, Records.pairs([("A", "b")])))
        #expect(events.isEmpty, "PARAMS has not ended yet")
        events += try parser.feed(Records.record(Records.params, id: 1))
        #expect(events.requests.map(\.body) == [[1, 2]])
    }

    @Test func twoRequestsBackToBack() throws {
        var parser = FastCGIConnectionParser()
        let stream = Records.request(id: 1, [("N", "first")], body: [1]) + Records.request(id: 2, [("N", "second")], body: [2])
        let requests = try parser.feed(stream).requests
        #expect(requests.map(\.requestID) == [1, 2])
        #expect(requests.map { $0.parameter("N") } == ["first", "second"])
        #expect(requests.map(\.body) == [[1], [2]])
    }

    @Test func multiplexedRequestsBothComplete() throws {
        var parser = FastCGIConnectionParser()
        let stream = Records.begin(id: 1) + Records.begin(id: 2)
            + Records.record(Records.params, id: 2, Records.pairs([("N", "two")]))
            + Records.record(Records.params, id: 1, Records.pairs([("N", "one")]))
            + Records.record(Records.stdin, id: 1, [1, 1]) + Records.record(Records.params, id: 2)
            + Records.record(Records.stdin, id: 2, [2]) + Records.record(Records.params, id: 1)
            + Records.record(Records.stdin, id: 2) + Records.record(Records.stdin, id: 1)
        let events = try parser.feed(stream)
        #expect(events.count == 2)
        let requests = events.requests
        #expect(requests.map(\.requestID) == [2, 1], "each is handed out when its own streams end")
        #expect(requests.map { $0.parameter("N") } == ["two", "one"])
        #expect(requests.map(\.body) == [[2], [1, 1]])
        #expect(parser.openRequestCount == 2)
    }

    @Test func beginForAnOpenIDIsIgnored() throws {
        var parser = FastCGIConnectionParser()
        let stream = Records.begin(id: 1, keepConnection: true)
            + Records.record(Records.params, id: 1, Records.pairs([("A", "1")]))
            + Records.begin(id: 1, keepConnection: false)
            + Records.record(Records.params, id: 1, Records.pairs([("B", "2")])) + Records.record(Records.params, id: 1)
            + Records.stream(Records.stdin, id: 1, [7])
        let events = try parser.feed(stream)
        #expect(events.count == 1)
        let request = try #require(events.first?.request)
        #expect(request.keepConnection, "the second BEGIN did not restart the request")
        #expect(request.parameters.map(\.name) == ["A", "B"])
        #expect(request.body == [7])
        // Also while it is handed out: no new request, no reply.
        #expect(try parser.feed(Records.request(id: 1, [("C", "3")])).isEmpty)
    }

    @Test func finishFreesTheIDForReuse() throws {
        var parser = FastCGIConnectionParser()
        _ = try parser.feed(Records.request(id: 5, [("N", "first")]))
        parser.finish(5)
        #expect(parser.openRequestCount == 0)
        let requests = try parser.feed(Records.request(id: 5, [("N", "second")])).requests
        #expect(requests.map { $0.parameter("N") } == ["second"])
    }

    @Test func recordsOnlyAnApplicationSendsAreIgnored() throws {
        var parser = FastCGIConnectionParser()
        let stream = Records.begin(id: 1)
            + Records.record(Records.stdout, id: 1, Array("Status: 200\r\n\r\n".utf8))
            + Records.record(Records.data, id: 1, [1, 2, 3]) + Records.record(Records.endRequest, id: 1, [0, 0, 0, 0, 0, 0, 0, 0])
            + Records.record(7, id: 1, [1]) + Records.record(0x42, id: 1, [1])   // STDERR; an unknown type on a request
            + Records.record(Records.stdout, id: 0, [1]) + Records.record(Records.getValuesResult, id: 0)
            + Records.stream(Records.params, id: 1, []) + Records.stream(Records.stdin, id: 1, [4])
        let events = try parser.feed(stream)
        #expect(events.count == 1)
        #expect(events.requests.map(\.body) == [[4]])
    }

    @Test func wrongVersionThrows() {
        var parser = FastCGIConnectionParser()
        #expect(throws: FastCGIProtocolError.unsupportedVersion) {
            try parser.feed(Records.record(Records.beginRequest, id: 1, [0, 1, 0, 0, 0, 0, 0, 0], version: 2))
        }
        var waiting = FastCGIConnectionParser()
        #expect(throws: FastCGIProtocolError.unsupportedVersion, "as soon as the header is in, before its content") {
            try waiting.feed(Array(Records.record(Records.stdin, id: 1, [1, 2, 3], version: 0).prefix(8)))
        }
    }

    @Test func beginWithRequestIDZeroThrows() {
        var parser = FastCGIConnectionParser()
        #expect(throws: FastCGIProtocolError.nullRequestID) { try parser.feed(Records.begin(id: 0)) }
    }

    @Test func shortBeginThrows() {
        var parser = FastCGIConnectionParser()
        #expect(throws: FastCGIProtocolError.beginRequestTooShort) {
            try parser.feed(Records.record(Records.beginRequest, id: 1, [0, 1, 1]))
        }
    }

    @Test func malformedParametersThrow() {
        var parser = FastCGIConnectionParser()
        #expect(throws: FastCGIProtocolError.malformedParameters) {
            try parser.feed(Records.begin(id: 1) + Records.stream(Records.params, id: 1, [5, 1, 65]))
        }
    }
}
