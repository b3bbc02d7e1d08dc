@testable import FastCGI
import Testing

/// Bodies and parameters against `FastCGILimits` and CONTENT_LENGTH: what is too much is dropped, flagged, and the
/// connection stays usable.
@Suite struct FastCGIConnectionParserLimitsTests {
    private func onlyRequest(_ parser: inout FastCGIConnectionParser, _ bytes: [UInt8], chunk: Int = .max,
                             sourceLocation: SourceLocation = #_sourceLocation) throws -> FastCGIRequest {
        let events = try parser.feed(bytes, chunk: chunk)
        #expect(events.count == 1, sourceLocation: sourceLocation)
        return try #require(events.first?.request, sourceLocation: sourceLocation)
    }

    /// After a refused request, the next one on the same connection is read normally.
    private func expectUsable(_ parser: inout FastCGIConnectionParser, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let next = try onlyRequest(&parser, Records.request(id: 2, [("CONTENT_LENGTH", "2"), ("N", "next")], body: [8, 9]),
                                   sourceLocation: sourceLocation)
        #expect(next.problem == nil, sourceLocation: sourceLocation)
        #expect(next.parameter("N") == "next", sourceLocation: sourceLocation)
        #expect(next.body == [8, 9], sourceLocation: sourceLocation)
    }

    @Test func bodyAtTheLimitIsKept() throws {
        var parser = FastCGIConnectionParser(bodyLimit: 100)
        let body = [UInt8](repeating: 7, count: 100)
        let request = try onlyRequest(&parser, Records.request([("CONTENT_LENGTH", "100")], body: body, piece: 30))
        #expect(request.problem == nil)
        #expect(request.body == body)
    }

    @Test func bodyDeclaredTooLarge() throws {
        var parser = FastCGIConnectionParser(bodyLimit: 100)
        let request = try onlyRequest(&parser, Records.request([("CONTENT_LENGTH", "101")], body: [1, 2, 3]))
        #expect(request.problem == .bodyTooLarge)
        #expect(request.body.isEmpty)
        try expectUsable(&parser)
    }

    @Test(arguments: [true, false])
    func bodySentTooLarge(declared: Bool) throws {
        var parser = FastCGIConnectionParser(bodyLimit: 100)
        let parameters = declared ? [("CONTENT_LENGTH", "60")] : []
        let request = try onlyRequest(&parser, Records.request(parameters, body: [UInt8](repeating: 1, count: 150), piece: 50))
        #expect(request.problem == .bodyTooLarge)
        #expect(request.body.isEmpty)
        try expectUsable(&parser)
    }

    @Test func bodyShorterThanDeclaredIsTruncated() throws {
        var parser = FastCGIConnectionParser(bodyLimit: 100)
        let request = try onlyRequest(&parser, Records.request([("CONTENT_LENGTH", "10")], body: [1, 2, 3]))
        #expect(request.problem == .bodyTruncated)
        try expectUsable(&parser)
    }

    @Test func bodyLongerThanDeclaredIsCut() throws {
        var parser = FastCGIConnectionParser(bodyLimit: 100)
        let request = try onlyRequest(&parser, Records.request([("CONTENT_LENGTH", "2")], body: [1, 2, 3]))
        #expect(request.problem == nil)
        #expect(request.body == [1, 2])
    }

    @Test(arguments: ["abc", "-1", "1e3", " 3", "0x10"])
    func malformedContentLength(value: String) throws {
        var parser = FastCGIConnectionParser()
        let request = try onlyRequest(&parser, Records.request([("CONTENT_LENGTH", value)], body: [1, 2, 3]))
        #expect(request.problem == .bodyMalformed)
    }

    @Test func emptyContentLengthMeansNone() throws {
        var parser = FastCGIConnectionParser()
        let request = try onlyRequest(&parser, Records.request([("CONTENT_LENGTH", "")], body: [1]))
        #expect(request.problem == nil)
        #expect(request.body == [1])
    }

    @Test func parametersTooLarge() throws {
        var parser = FastCGIConnectionParser(parametersLimit: 64)
        let parameters = [("A", String(repeating: "a", count: 40)), ("B", String(repeating: "b", count: 40))]
        let request = try onlyRequest(&parser, Records.request(parameters, body: [1], piece: 20))
        #expect(request.problem == .parametersTooLarge)
        #expect(request.parameters.isEmpty)
        try expectUsable(&parser)
    }

    @Test func parametersAtTheLimitAreKept() throws {
        let parameters = [("A", String(repeating: "a", count: 60))]
        var parser = FastCGIConnectionParser(parametersLimit: Records.pairs(parameters).count)
        let request = try onlyRequest(&parser, Records.request(parameters, piece: 10))
        #expect(request.problem == nil)
        #expect(request.parameter("A")?.count == 60)
    }

    /// A 1 MB body in 65,535-byte records, read 1,000 bytes at a time: at most one record is ever buffered.
    @Test func bufferStaysBoundedForALargeBody() throws {
        var parser = FastCGIConnectionParser(bodyLimit: 1024)
        let stream = Records.request([], body: [UInt8](repeating: 0x5a, count: 1_000_000))
        var largest = 0
        let events = try parser.feed(stream, chunk: 1000) { largest = max(largest, $0.bufferedByteCount) }
        #expect(largest < 8 + 65535)
        #expect(largest > 60_000, "a whole record was waited for")
        #expect(parser.bufferedByteCount == 0)
        #expect(events.requests.map(\.problem) == [.bodyTooLarge])
        #expect(events.requests.first?.body.isEmpty == true)
    }
}
