/// A row of `fusio_app`: an OAuth client.
public struct FusioApp: Sendable, Equatable {
    /// `fusio_app.status`: 1 active, 2 pending, 3 deactivated, 4 deleted.
    public static let activeStatus = 1

    public var id: Int
    public var userID: Int
    public var status: Int
    public var name: String
    public var url: String
    public var key: String
    /// Plaintext, because PHP Fusio reads it that way; compared in constant time, never in SQL.
    public var secret: String

    public init(id: Int, userID: Int, status: Int, name: String, url: String, key: String, secret: String) {
        self.id = id
        self.userID = userID
        self.status = status
        self.name = name
        self.url = url
        self.key = key
        self.secret = secret
    }

    public var isActive: Bool { status == Self.activeStatus }
}

extension FusioApp: CustomStringConvertible {
    public var description: String { "FusioApp(id: \(id), key: \(key), status: \(status))" }
}
