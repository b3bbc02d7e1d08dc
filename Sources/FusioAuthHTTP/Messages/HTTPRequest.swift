/// An HTTP request as nginx handed it over FastCGI, independent of libfcgi.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path of `REQUEST_URI`, without the query string, not percent-decoded.
    public var path: String
    public var query: String
    /// Header names lowercased with `-` (from FastCGI `HTTP_*` parameters), plus `content-type`.
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Set when the body could not be read in full; the router answers with this status before any handler runs.
    public var bodyProblem: HTTPError?
    public var remoteAddress: String

    public init(method: String, requestURI: String, headers: HTTPHeaders, body: [UInt8],
                bodyProblem: HTTPError? = nil, remoteAddress: String) {
        self.method = method
        // On the contiguous UTF-8 bytes: a Character search would compare grapheme clusters (~7 k instructions),
        // and `firstIndex(of:)` on the UTF-8 view still walked it through its index type (~600).
        var uri = requestURI
        let question = uri.withUTF8 { bytes in bytes.firstIndex(of: UInt8(ascii: "?")) }
        if let question {
            path = String(Substring(requestURI.utf8.prefix(question)))
            query = String(Substring(requestURI.utf8.dropFirst(question + 1)))
        } else {
            path = requestURI
            query = ""
        }
        self.headers = headers
        self.body = body
        self.bodyProblem = bodyProblem
        self.remoteAddress = remoteAddress
    }

    public func header(_ name: String) -> String? { headers[name] }

    /// The media type of `Content-Type` without parameters, lowercased.
    public var mediaType: String? {
        guard let value = headers["content-type"] else { return nil }
        // What clients send almost always: no parameters, no blanks, lower case.
        if value == "application/x-www-form-urlencoded" || value == "application/json" { return value }
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingSpaces.lowercased()
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
