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

    /// `content` as Fusio writes it (compact, slashes escaped), minus `accessToken`.
    public func content(tokenID: Int) -> String {
        "{\"tokenId\":\(tokenID)" + contentTail
    }

    /// `content` after the token id, for a store that learns the id only inside the database. The dates are
    /// digits, `-`, ` ` and `:` only, which JSON writes as they are.
    public var contentTail: String {
        var tail = ",\"scope\":"
        tail += String(decoding: JSONWriter.encode(.array(scopes.map { .string($0) }), escapeSlashes: true), as: UTF8.self)
        tail += ",\"expires\":\"" + expires.databaseString + "\",\"now\":\"" + now.databaseString + "\"}"
        return tail
    }
}
