@testable import FastCGI
import Testing

@Suite struct FastCGIRecordHeaderTests {
    @Test func parsesEveryField() {
        let bytes: [UInt8] = [1, 5, 0x12, 0x34, 0x01, 0x2c, 7, 0]
        let header = bytes.withUnsafeBytes { FastCGIRecordHeader($0) }
        #expect(header.version == 1)
        #expect(header.type == 5)
        #expect(header.requestID == 0x1234)
        #expect(header.contentLength == 300)
        #expect(header.paddingLength == 7)
        #expect(header.recordLength == 8 + 300 + 7)
    }

    @Test(arguments: [(UInt16(1), 0, 0), (0x1234, 255, 1), (0xabcd, 256, 255), (0xffff, 65535, 3)])
    func roundTrips(requestID: UInt16, contentLength: Int, paddingLength: Int) {
        let header = FastCGIRecordHeader(type: .stdout, requestID: requestID, contentLength: contentLength,
                                         paddingLength: paddingLength)
        var bytes: [UInt8] = []
        header.write(to: &bytes)
        #expect(bytes == [1, 6, UInt8(requestID >> 8), UInt8(requestID & 0xff), UInt8(contentLength >> 8),
                          UInt8(contentLength & 0xff), UInt8(paddingLength), 0])
        #expect(bytes.withUnsafeBytes { FastCGIRecordHeader($0) } == header)
    }

    @Test func unknownTypeIsKeptRaw() {
        let bytes: [UInt8] = [1, 0xee, 0, 0, 0, 0, 0, 0]
        #expect(bytes.withUnsafeBytes { FastCGIRecordHeader($0) }.type == 0xee)
    }

    /// Padding bytes (here not zero, and looking like a record header) are skipped, not read as the next record.
    @Test func parserSkipsPadding() throws {
        let decoy = Records.begin(id: 9, role: 2)
        let bytes = Records.begin(id: 1, keepConnection: true)
            + Records.record(Records.params, id: 1, Records.pairs([("A", "1")]), padding: decoy)
            + Records.record(Records.params, id: 1, padding: [0xff, 0xff, 0xff])
            + Records.record(Records.stdin, id: 1, [1, 2, 3], padding: [9, 9, 9, 9, 9])
            + Records.record(Records.stdin, id: 1, padding: [1])
        for chunk in [bytes.count, 1, 7] {
            var parser = FastCGIConnectionParser()
            let events = try parser.feed(bytes, chunk: chunk)
            #expect(events.count == 1)
            let request = try #require(events.requests.first)
            #expect(request.parameter("A") == "1")
            #expect(request.body == [1, 2, 3])
            #expect(parser.bufferedByteCount == 0)
        }
    }
}
