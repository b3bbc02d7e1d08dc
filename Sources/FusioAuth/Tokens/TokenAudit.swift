/// The `fusio_audit` row of a token issue (§4.7), without the access token Fusio would store in `content`.
public struct TokenAudit: Sendable, Equatable {
    public static let generateEvent = "token.generate"
    public static let generateMessage = "Generated token"

    public var appID: Int
    public var userID: Int
    public var ip: String
    public var scopes: [String]
    public var expires: UnixTime
    public var now: UnixTime

    public init(appID: Int?, userID: Int, ip: String, scopes: [String], expires: UnixTime, now: UnixTime) {
        self.appID = appID ?? 0
        self.userID = userID
        self.ip = ip
        self.scopes = scopes
        self.expires = expires
        self.now = now
    }

    /// `content` as Fusio writes it (compact, slashes escaped), minus `accessToken`:
    /// `{"tokenId":7,"scope":["a","b"],"expires":"Y-m-d H:i:s","now":"Y-m-d H:i:s"}`.
    public func content(tokenID: Int) -> String {
        write(tokenID: tokenID)
    }

    /// `content` after the token id, for a store that learns the id only inside the database.
    public var contentTail: String {
        write(tokenID: nil)
    }

    /// Every token issue writes this: one buffer sized up front (by a bound, so each scope is read once) and
    /// filled in place, rather than a `JSONValue` tree encoded and then concatenated (~11 k instructions per
    /// token). The dates are digits, `-`, ` ` and `:` only, which JSON writes as they are.
    private func write(tokenID: Int?) -> String {
        var capacity = Self.fixedLength + 2 * UnixTime.maximumDatabaseStringLength + scopes.count
        if tokenID != nil { capacity += Self.headLength + JSONWriter.integerBound }
        for scope in scopes { capacity += JSONWriter.escapedLengthBound(of: scope) }
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var cursor = JSONWriter.Cursor(position: buffer.baseAddress!)
            if let tokenID {
                cursor.put(Self.head)
                JSONWriter.writeInteger(tokenID, to: &cursor)
            }
            cursor.put(",\"scope\":[")
            for (index, scope) in scopes.enumerated() {
                if index > 0 { cursor.put(UInt8(ascii: ",")) }
                JSONWriter.writeString(scope, to: &cursor, escapeSlashes: true)
            }
            cursor.put("],\"expires\":\"")
            cursor.position += expires.writeDatabaseString(to: cursor.position)
            cursor.put("\",\"now\":\"")
            cursor.position += now.writeDatabaseString(to: cursor.position)
            cursor.put("\"}")
            let written = cursor.position - buffer.baseAddress!
            precondition(written <= capacity, "TokenAudit size bound violated")
            return written
        }
    }

    private static let head: StaticString = "{\"tokenId\":"
    private static let headLength = head.utf8CodeUnitCount
    /// The literals around the scopes and dates, with the brackets.
    private static let fixedLength = ",\"scope\":[".utf8.count + "],\"expires\":\"".utf8.count
        + "\",\"now\":\"".utf8.count + "\"}".utf8.count
}
