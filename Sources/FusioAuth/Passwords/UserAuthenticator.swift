import FusioCrypto

/// Fusio's `authenticate(username, password)` (§5.2): an active, local user by name or e-mail whose bcrypt hash
/// matches. Owns the thread's bcrypt scratch space, so one instance per thread.
public final class UserAuthenticator {
    private let users: any UserRepository
    private let bcrypt = BCrypt()

    public init(users: any UserRepository) {
        self.users = users
    }

    public func authenticate(login: String, password: String) throws(StorageError) -> FusioUser? {
        // PHP empty(): "" and "0" are both empty.
        guard !password.isEmpty, password != "0", !login.isEmpty else { return nil }
        guard let user = try users.findActiveUser(login: login, byName: Self.isUserName(login)) else { return nil }
        guard user.identityID == nil, let hash = user.passwordHash, !hash.isEmpty else { return nil }
        return bcrypt.verify(password: Array(password.utf8), hash: hash) ? user : nil
    }

    /// Fusio looks a login up by name when it matches `^[a-zA-Z0-9\-\_\.]{3,32}$`, otherwise by e-mail.
    static func isUserName(_ login: String) -> Bool {
        let bytes = login.utf8
        guard (3...32).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }
}
