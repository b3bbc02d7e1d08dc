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

    /// Every token issue writes this, in one pass (`BoundedJSON`). The dates are digits, `-`, ` ` and `:` only,
    /// which JSON writes as they are.
    private func write(tokenID: Int?) -> String {
        var capacity = Self.fixedLength + 2 * UnixTime.maximumDatabaseStringLength + scopes.count
        if tokenID != nil { capacity += Self.headLength + JSONWriter.integerBound }
        for scope in scopes { capacity += JSONWriter.escapedLengthBound(of: scope) }
        return BoundedJSON.string(capacity: capacity) { json in
            if let tokenID {
                json.literal(Self.head)
                json.integer(tokenID)
            }
            json.literal(Self.scopeKey)
            for (index, scope) in scopes.enumerated() {
                if index > 0 { json.byte(UInt8(ascii: ",")) }
                json.string(scope, escapeSlashes: true)
            }
            json.literal(Self.expiresKey)
            json.formatted(expires.writeDatabaseString(to:))
            json.literal(Self.nowKey)
            json.formatted(now.writeDatabaseString(to:))
            json.literal(Self.end)
        }
    }

    private static let head: StaticString = "{\"tokenId\":"
    private static let scopeKey: StaticString = ",\"scope\":["
    private static let expiresKey: StaticString = "],\"expires\":\""
    private static let nowKey: StaticString = "\",\"now\":\""
    private static let end: StaticString = "\"}"
    private static let headLength = BoundedJSON.length(of: head)
    /// The literals around the scopes and dates, with the brackets.
    private static let fixedLength = BoundedJSON.length(of: scopeKey, expiresKey, nowKey, end)
}
