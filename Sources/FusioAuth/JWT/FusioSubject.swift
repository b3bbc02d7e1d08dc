import FusioCrypto

public enum FusioSubject {
    /// The JWT `sub`: psx-fw `Uuid::nameBased(baseURL . '-' . userID)`, i.e. the Fusio UUID layout over
    /// SHA-1 of that string with version nibble 5. `baseURL` is used verbatim — a trailing slash changes it.
    public static func make(baseURL: String, userID: Int) -> String {
        let name = baseURL + "-" + String(userID)
        return FusioUUIDLayout.format(sha1: SHA1.hash(name.utf8), version: 5)
    }
}
