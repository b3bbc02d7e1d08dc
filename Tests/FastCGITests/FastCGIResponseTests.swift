@testable import FastCGI
import Testing

@Suite struct FastCGIResponseTests {
    /// The STDOUT records of `records` up to (not including) the empty one; fails unless the stream ends with the
    /// empty STDOUT and one END_REQUEST (appStatus 0, REQUEST_COMPLETE), all for `requestID`.
    private func stdoutRecords(_ records: [DecodedRecord], requestID: UInt16,
                               sourceLocation: SourceLocation = #_sourceLocation) -> [DecodedRecord] {
        #expect(records.count >= 3, sourceLocation: sourceLocation)
        #expect(records.allSatisfy { $0.requestID == requestID }, sourceLocation: sourceLocation)
        #expect(records.dropLast().allSatisfy { $0.type == Records.stdout }, sourceLocation: sourceLocation)
        #expect(records.dropLast(2).allSatisfy { !$0.content.isEmpty }, sourceLocation: sourceLocation)
        #expect(records.dropLast().last?.content == [], "the empty STDOUT ends the stream", sourceLocation: sourceLocation)
        let end = records.last?.endRequest
        #expect(end?.appStatus == 0, sourceLocation: sourceLocation)
        #expect(end?.protocolStatus == 0, sourceLocation: sourceLocation)
        return Array(records.dropLast(2))
    }

    @Test func smallResponse() {
        let body = Array("{\"ok\":true}".utf8)
        let response = FastCGIResponse(status: 200, reason: "OK", headers: [("Name", "value")], body: body)
        let records = decodeRecords(response.encoded(requestID: 0x0102))
        let stdout = stdoutRecords(records, requestID: 0x0102)
        #expect(stdout.count == 1)
        #expect(stdout.first?.content == Array("Status: 200 OK\r\nName: value\r\nContent-Length: 11\r\n\r\n".utf8) + body)
    }

    @Test func headersInOrderAndEmptyBody() {
        let response = FastCGIResponse(status: 503, reason: "Service Unavailable",
                                       headers: [("Retry-After", "1"), ("Content-Type", "application/json")], body: [])
        let stdout = stdoutRecords(decodeRecords(response.encoded(requestID: 1)), requestID: 1)
        #expect(stdout.flatMap(\.content) == Array(("Status: 503 Service Unavailable\r\nRetry-After: 1\r\n"
            + "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n").utf8))
    }

    @Test(arguments: [200_000, 65535 - 41, 65535 - 40])   // 41 head bytes: one record exactly full, then one byte over
    func largeBodyIsSplitAndReassembles(bodySize: Int) {
        let body = (0..<bodySize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let response = FastCGIResponse(status: 200, reason: "OK", headers: [], body: body)
        let head = Array("Status: 200 OK\r\nContent-Length: \(bodySize)\r\n\r\n".utf8)
        let stdout = stdoutRecords(decodeRecords(response.encoded(requestID: 9)), requestID: 9)
        #expect(stdout.allSatisfy { $0.content.count <= 65535 })
        #expect(stdout.count == (head.count + bodySize + 65534) / 65535)
        #expect(stdout.flatMap(\.content) == head + body)
    }
}
