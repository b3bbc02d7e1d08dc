/// One `fusio_log` row as Fusio's Logger filter writes it around an operation (impl `Service/Log`), except that
/// `header` and `body` are redacted (`LogRedaction`) and the row is written once, with the response code and
/// execution time, after the action.
public struct RequestLogEntry: Sendable, Equatable {
    public var categoryID: Int
    public var operationID: Int
    public var appID: Int?
    public var userID: Int?
    public var ip: String
    /// Cut at 255 bytes, as PHP does.
    public var userAgent: String
    public var method: String
    /// Cut at 1023 bytes, as PHP does.
    public var path: String
    public var header: String
    public var body: String?
    public var responseCode: Int
    public var executionMilliseconds: Int
    public var date: UnixTime

    public init(categoryID: Int, operationID: Int, appID: Int?, userID: Int?, ip: String, userAgent: String,
                method: String, path: String, header: String, body: String?, responseCode: Int,
                executionMilliseconds: Int, date: UnixTime) {
        self.categoryID = categoryID
        self.operationID = operationID
        self.appID = appID
        self.userID = userID
        self.ip = ip
        self.userAgent = Self.cut(userAgent, bytes: 255)
        self.method = method
        self.path = Self.cut(path, bytes: 1023)
        self.header = header
        self.body = body
        self.responseCode = responseCode
        self.executionMilliseconds = executionMilliseconds
        self.date = date
    }

    /// At most `bytes` UTF-8 bytes, cut at a character boundary (PHP's substr may split a character; the column
    /// would then refuse the row in strict mode).
    static func cut(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > bytes { break }
            result.append(character)
            used += size
        }
        return result
    }
}
