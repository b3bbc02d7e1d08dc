/// An HTTP response as the CGI convention carries it over FastCGI: a `Status:` line, headers, body.
public struct FastCGIResponse: Sendable {
    public var status: Int
    public var reason: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Send the answer no sooner than this many milliseconds after it was made. The event loop holds it — no
    /// thread waits — so an answer can take as long as work that was skipped (a locked account's bcrypt check).
    public var delayMilliseconds: Int

    public init(status: Int, reason: String, headers: [(String, String)], body: [UInt8], delayMilliseconds: Int = 0) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.delayMilliseconds = delayMilliseconds
    }

    /// The complete answer to request `requestID`: FCGI_STDOUT records, the empty one that ends the stream, and
    /// FCGI_END_REQUEST — one buffer, so the loop sends it with one write.
    func encoded(requestID: UInt16) -> [UInt8] {
        var head: [UInt8] = []
        head.reserveCapacity(256)
        append("Status: ", to: &head)
        append(String(status), to: &head)
        head.append(UInt8(ascii: " "))
        append(reason, to: &head)
        head.append(contentsOf: [13, 10] as [UInt8])
        for (name, value) in headers {
            append(name, to: &head)
            head.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            append(value, to: &head)
            head.append(contentsOf: [13, 10] as [UInt8])
        }
        append("Content-Length: ", to: &head)
        append(String(body.count), to: &head)
        head.append(contentsOf: [13, 10, 13, 10] as [UInt8])

        var out: [UInt8] = []
        let total = head.count + body.count
        out.reserveCapacity(total + 3 * FastCGIRecordType.headerLength + 8 + 8 * (total / FastCGIRecordType.maximumContentLength))
        if total <= FastCGIRecordType.maximumContentLength {
            FastCGIRecordHeader(type: .stdout, requestID: requestID, contentLength: total).write(to: &out)
            out.append(contentsOf: head)
            out.append(contentsOf: body)
        } else {
            let whole = head + body
            whole.withUnsafeBytes { FastCGIRecordEncoder.appendStream(.stdout, requestID: requestID, content: $0, to: &out) }
        }
        FastCGIRecordEncoder.appendEndOfStream(.stdout, requestID: requestID, to: &out)
        FastCGIRecordEncoder.appendEndRequest(requestID: requestID, status: .requestComplete, to: &out)
        return out
    }

    private func append(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { out.append(contentsOf: $0) }
    }
}
