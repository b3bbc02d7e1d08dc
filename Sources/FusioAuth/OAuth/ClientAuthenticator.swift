import FusioCrypto

/// The client authentication every grant shares: an active app found by key whose secret matches. The
/// secret is compared here in constant time, never in SQL, where the collation would also accept it in
/// another case or with trailing spaces.
public final class ClientAuthenticator {
    private let apps: any AppRepository

    public init(apps: any AppRepository) {
        self.apps = apps
    }

    /// A client whose key was seen in the last second is checked against that copy; a secret that does not match
    /// it is checked again against the database, so a rotated secret works at once. Only the old secret of a
    /// just-rotated app stays accepted for that second; status changes are enforced when the token is written.
    public func authenticate(_ credentials: ClientCredentials, allowCached: Bool = true) throws(StorageError) -> ClientApp? {
        // The strings' own UTF-8 storage, compared in place: no array copy of either secret per request.
        func match(_ clients: [ClientApp]) -> ClientApp? {
            clients.first { $0.app.isActive && ConstantTime.equals($0.app.secret, credentials.secret) }
        }
        let lookup = try apps.findClients(appKey: credentials.id, allowCached: allowCached)
        if let client = match(lookup.clients) { return client }
        guard lookup.cached else { return nil }
        return match(try apps.findClients(appKey: credentials.id, allowCached: false).clients)
    }
}
