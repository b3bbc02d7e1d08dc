@testable import FastCGI
import Testing

/// What the parser answers itself: refused roles and overload, GET_VALUES, unknown types, aborts.
@Suite struct FastCGIConnectionParserManagementTests {
    /// The one reply in `events`, which must be one END_REQUEST for `requestID`; its protocolStatus.
    private func endRequestStatus(_ events: [FastCGIConnectionParser.Event], requestID: UInt16,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt8 {
        #expect(events.count == 1, sourceLocation: sourceLocation)
        let reply = try #require(events.first?.reply, sourceLocation: sourceLocation)
        let records = decodeRecords(reply, sourceLocation: sourceLocation)
        #expect(records.count == 1, sourceLocation: sourceLocation)
        let record = try #require(records.first, sourceLocation: sourceLocation)
        #expect(record.requestID == requestID, sourceLocation: sourceLocation)
        let end = try #require(record.endRequest, sourceLocation: sourceLocation)
        #expect(end.appStatus == 0, sourceLocation: sourceLocation)
        return end.protocolStatus
    }

    @Test(arguments: [UInt16(2), 3, 0, 0x0101])   // AUTHORIZER, FILTER, none, nonsense
    func otherRolesAreRefused(role: UInt16) throws {
        var parser = FastCGIConnectionParser()
        let events = try parser.feed(Records.begin(id: 4, role: role))
        #expect(try endRequestStatus(events, requestID: 4) == 3)   // FCGI_UNKNOWN_ROLE
        #expect(parser.openRequestCount == 0)
        #expect(try parser.feed(Records.stream(Records.params, id: 4, []) + Records.stream(Records.stdin, id: 4, [])).isEmpty,
                "the refused request's streams are dropped")
    }

    @Test func requestsBeyondTheLimitAreOverloaded() throws {
        var parser = FastCGIConnectionParser(requestsPerConnection: 2)
        _ = try parser.feed(Records.request(id: 1, []))      // handed out, still open
        #expect(try parser.feed(Records.begin(id: 2)).isEmpty)  // being received
        let events = try parser.feed(Records.begin(id: 3))
        #expect(try endRequestStatus(events, requestID: 3) == 2)   // FCGI_OVERLOADED
        #expect(parser.openRequestCount == 2)
        parser.finish(1)
        #expect(try parser.feed(Records.begin(id: 3)).isEmpty, "room again once request 1 is finished")
        #expect(parser.openRequestCount == 2)
    }

    @Test func getValuesAnswersTheKnownNames() throws {
        var parser = FastCGIConnectionParser()
        let events = try parser.feed(Records.getValues(["FCGI_MAX_CONNS", "FCGI_UNKNOWN", "FCGI_MAX_REQS", "FCGI_MPXS_CONNS"]))
        #expect(events.count == 1)
        let records = events.replies
        #expect(records.map(\.type) == [Records.getValuesResult])
        #expect(records.first?.requestID == 0)
        #expect(records.first?.valuePairs == ["FCGI_MAX_CONNS": "12", "FCGI_MAX_REQS": "34", "FCGI_MPXS_CONNS": "1"])
    }

    /// A web server may ask for a name many times; each is answered once, so the answer always fits one record.
    @Test func getValuesAnswersRepeatedNamesOnce() throws {
        var parser = FastCGIConnectionParser()
        let events = try parser.feed(Records.getValues(Array(repeating: "FCGI_MAX_REQS", count: 4000)))
        let records = events.replies
        #expect(records.count == 1)
        #expect(records.first?.valuePairs == ["FCGI_MAX_REQS": "34"])
        #expect(records.first?.content.count == 2 + 13 + 2)
    }

    @Test func getValuesWithMalformedPairsThrows() {
        var parser = FastCGIConnectionParser()
        #expect(throws: FastCGIProtocolError.malformedParameters) {
            try parser.feed(Records.record(Records.getValues, id: 0, [14, 0] + Array("FCGI_MAX".utf8)))
        }
    }

    @Test func unknownManagementTypeIsNamed() throws {
        var parser = FastCGIConnectionParser()
        let events = try parser.feed(Records.record(0x42, id: 0, [1, 2, 3]) + Records.record(0, id: 0))
        #expect(events.count == 2)
        let records = events.replies
        #expect(records.map(\.type) == [Records.unknownType, Records.unknownType])
        #expect(records.map(\.requestID) == [0, 0])
        #expect(records.map(\.content) == [[0x42, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]])
    }

    @Test func abortWhileReceivingEndsTheRequest() throws {
        var parser = FastCGIConnectionParser()
        let partial = Records.begin(id: 3) + Records.record(Records.params, id: 3, Records.pairs([("A", "b")]))
        #expect(try parser.feed(partial).isEmpty)
        let events = try parser.feed(Records.abort(id: 3))
        #expect(try endRequestStatus(events, requestID: 3) == 0)   // FCGI_REQUEST_COMPLETE
        #expect(parser.openRequestCount == 0)
        let rest = Records.record(Records.params, id: 3) + Records.stream(Records.stdin, id: 3, [1])
        #expect(try parser.feed(rest).isEmpty, "no request after the abort")
    }

    @Test func abortOfADispatchedRequestIsReported() throws {
        var parser = FastCGIConnectionParser()
        _ = try parser.feed(Records.request(id: 6, []))
        let events = try parser.feed(Records.abort(id: 6))
        #expect(events.count == 1)
        #expect(events.first?.abortedID == 6)
        #expect(parser.openRequestCount == 1, "still open until the loop finishes it")
        parser.finish(6)
        #expect(try parser.feed(Records.abort(id: 6)).isEmpty, "an abort for an id nobody uses is dropped")
    }
}
