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
    /// FCGI_END_REQUEST — one buffer, so it goes out with one write. The head is written straight behind a
    /// record header whose length is filled in afterwards: one allocation, no copy, for any answer under 64 KiB.
    func encoded(requestID: UInt16) -> [UInt8] {
        let headerLength = FastCGIRecordType.headerLength
        var estimate = 64 + body.count
        for (name, value) in headers { estimate += name.utf8.count + value.utf8.count + 4 }
        var out: [UInt8] = []
        out.reserveCapacity(headerLength + estimate + 2 * headerLength + 8 + 8 * (estimate / FastCGIRecordType.maximumContentLength))
        FastCGIRecordHeader(type: .stdout, requestID: requestID, contentLength: 0).write(to: &out)
        append("Status: ", to: &out)
        append(String(status), to: &out)
        out.append(UInt8(ascii: " "))
        append(reason, to: &out)
        out.append(contentsOf: [13, 10] as [UInt8])
        for (name, value) in headers {
            append(name, to: &out)
            out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            append(value, to: &out)
            out.append(contentsOf: [13, 10] as [UInt8])
        }
        append("Content-Length: ", to: &out)
        append(String(body.count), to: &out)
        out.append(contentsOf: [13, 10, 13, 10] as [UInt8])
        out.append(contentsOf: body)

        let total = out.count - headerLength
        if total <= FastCGIRecordType.maximumContentLength {
            out[4] = UInt8(total >> 8)
            out[5] = UInt8(total & 0xff)
        } else {
            let content = Array(out[headerLength...])
            out.removeAll(keepingCapacity: true)
            content.withUnsafeBytes { FastCGIRecordEncoder.appendStream(.stdout, requestID: requestID, content: $0, to: &out) }
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
