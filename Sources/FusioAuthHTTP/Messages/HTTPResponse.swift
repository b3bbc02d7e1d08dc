import FusioAuth

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The OAuth error code this answer carries, for metrics; not sent. Counted when the answer goes out, not when
    /// it is made: a request handed over to the password lane is answered (and counted) there.
    public var oauthErrorCode: String? = nil

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ object: JSONObject, headers: [(String, String)] = []) -> HTTPResponse {
        json(status, encoded: JSONWriter.encode(.object(object)), headers: [jsonContentType] + headers)
    }

    /// A JSON body already encoded; `headers` must include `jsonContentType` (a caller that answers often keeps
    /// the whole list in a constant).
    public static func json(_ status: Int, encoded body: [UInt8], headers: [(String, String)]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: body)
    }

    public static let jsonContentType = ("Content-Type", "application/json")

    /// The reason phrase for the CGI `Status:` line.
    public var reason: String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Payload Too Large"
        case 415: return "Unsupported Media Type"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
