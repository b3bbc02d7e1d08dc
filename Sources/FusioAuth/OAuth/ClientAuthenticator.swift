import FusioCrypto

/// The client authentication every grant shares: an active app found by key whose secret matches. The
/// secret is compared here in constant time, never in SQL, where the collation would also accept it in
/// another case or with trailing spaces.
public final class ClientAuthenticator {
    private let apps: any AppRepository

    public init(apps: any AppRepository) {
        self.apps = apps
    }

    public func authenticate(_ credentials: ClientCredentials) throws(StorageError) -> ClientApp? {
        let secret = Array(credentials.secret.utf8)
        return try apps.findClients(appKey: credentials.id).first {
            $0.app.isActive && ConstantTime.equals(Array($0.app.secret.utf8), secret)
        }
    }

    /// Whether `clientID` names this app: the key lookup goes through the column collation, so the comparison
    /// ignores ASCII case like the SQL one PHP does.
    public static func isSameClient(_ clientID: String, as app: FusioApp) -> Bool {
        clientID.utf8.count == app.key.utf8.count
            && zip(clientID.utf8, app.key.utf8).allSatisfy { fold($0) == fold($1) }
    }

    private static func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
}
